using System.Buffers.Binary;
using System.IO.Ports;
using Kiosk.Devices.Serial;

namespace Kiosk.Devices.FingerprintReader;

/// <summary>
/// Fingerprint reader for the R30x / ZFM-20 / AS608 family over UART: GenImg, Img2Tz (as a quality gate),
/// UpImage. Delivers the 256 x 288 image as an 8-bit greyscale PNG with a simple quality score and as an ISO/IEC
/// 19794-4:2005 finger image record (the PNG inside); no minutiae (the module's character file is a vendor format,
/// not ISO/IEC 19794-2). Construct with options (the driver
/// opens a <see cref="SerialPort"/> and reopens it after the device went away) or with an open <see cref="Stream"/>.
/// </summary>
public sealed class R30xFingerprintReader : DeviceBase, IFingerprintReader
{
    private readonly R30xFingerprintReaderOptions _options;
    private readonly SerialLink<R30xPacketReader> _link;

    public R30xFingerprintReader(string name, R30xFingerprintReaderOptions options, TimeProvider timeProvider)
        : base(name, DeviceClass.FingerprintReader, timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _link = new SerialLink<R30xPacketReader>(options.PortName, options.BaudRate, stream => new R30xPacketReader(stream, options.Address), SetStatus);
        Capabilities = CapabilitiesFor(options);
    }

    /// <summary>A reader on an already open stream (e.g. <see cref="SerialPort.BaseStream"/>); disposed with the reader when <paramref name="shouldDispose"/>.</summary>
    public R30xFingerprintReader(string name, Stream stream, R30xFingerprintReaderOptions options, TimeProvider timeProvider, bool shouldDispose = true)
        : base(name, DeviceClass.FingerprintReader, timeProvider)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _link = new SerialLink<R30xPacketReader>(stream, options.PortName, shouldDispose, given => new R30xPacketReader(given, options.Address), SetStatus);
        Capabilities = CapabilitiesFor(options);
    }

    public override DeviceCapabilities Capabilities { get; }

    public override Task<DeviceResult<Done>> OpenAsync(CancellationToken cancellationToken)
    {
        var opened = _link.Open();
        if (opened.IsSuccess)
        {
            SetStatus(DeviceStatus.Online, "opened");
        }

        return Task.FromResult(opened);
    }

    public Task<DeviceResult<FingerprintCapture>> CaptureFingerprintAsync(DeviceClaim claim, FingerprintRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return RunClaimedAsync(claim, request.Timeout, ct => CaptureAsync(request.Finger, ct), cancellationToken);
    }

    protected override async Task<DeviceResult<Done>> CheckHealthCoreAsync(HealthCheckLevel level, CancellationToken cancellationToken)
    {
        if (level == HealthCheckLevel.Internal)
        {
            return !_link.IsOpen
                ? DeviceResult<Done>.Failure(CompletionCode.DeviceNotReady, $"{_options.PortName} is not open")
                : DeviceResult<Done>.Success(default);
        }

        // External and interactive alike: handshake and read the system parameters (no finger needed).
        var password = new byte[5];
        password[0] = R30xInstruction.VfyPwd;
        BinaryPrimitives.WriteUInt32BigEndian(password.AsSpan(1), _options.Password);
        var verified = await CommandAsync(password, cancellationToken).ConfigureAwait(false);
        if (!verified.IsSuccess)
        {
            return verified.As<Done>();
        }

        var parameters = await CommandAsync([R30xInstruction.ReadSysPara], cancellationToken).ConfigureAwait(false);
        return parameters.IsSuccess
            ? DeviceResult<Done>.Success(default) with { Description = $"system parameters {Convert.ToHexString(parameters.Value!)}" }
            : parameters.As<Done>();
    }

    protected override ValueTask DisposeCoreAsync()
    {
        _link.Dispose();
        return base.DisposeCoreAsync();
    }

    private async Task<DeviceResult<FingerprintCapture>> CaptureAsync(FingerPosition finger, CancellationToken cancellationToken)
    {
        // Img2Tz before UpImage: a smudged image is refused before spending seconds on the upload.
        byte[][] steps = [[R30xInstruction.GenImg], [R30xInstruction.Img2Tz, 0x01]];
        foreach (var step in steps)
        {
            var done = await CommandAsync(step, cancellationToken).ConfigureAwait(false);
            if (!done.IsSuccess)
            {
                return done.As<FingerprintCapture>();
            }
        }

        var packed = await UploadImageAsync(cancellationToken).ConfigureAwait(false);
        if (!packed.IsSuccess)
        {
            return packed.As<FingerprintCapture>();
        }

        var pixels = FingerImage.Unpack(packed.Value!);
        var png = GrayscalePng.Encode(pixels, FingerImage.Width, FingerImage.Height);
        var quality = FingerImage.Quality(pixels, FingerImage.Width, FingerImage.Height);
        var image = new CapturedImage(png, "image/png", FingerImage.Width, FingerImage.Height) { Dpi = _options.Dpi };
        // Level 30 (500 ppi): the module's 16 grey levels (expanded to 8 bits) meet no level's grey range, 30 claims least.
        var record = FingerImageRecord.FromPng(image, finger, FingerImageRecord.AcquisitionLevel500Ppi);
        return DeviceResult<FingerprintCapture>.Success(new FingerprintCapture(image, finger, quality, record, ReadOnlyMemory<byte>.Empty));
    }

    /// <summary>
    /// UpImage: an acknowledgement, then data packets (02) up to an end-of-data packet (08). An image of another size (an
    /// upload cut short, or a module with another sensor) is InvalidData naming both sizes; a long one is read to its
    /// end-of-data packet first, so the next command's acknowledgement is not mistaken for image data.
    /// </summary>
    private async Task<DeviceResult<byte[]>> UploadImageAsync(CancellationToken cancellationToken)
    {
        var ack = await CommandAsync([R30xInstruction.UpImage], cancellationToken).ConfigureAwait(false);
        if (!ack.IsSuccess)
        {
            return ack;
        }

        var image = new byte[FingerImage.PackedLength];
        var received = 0;
        while (true)
        {
            var packet = await ReceiveAsync(cancellationToken).ConfigureAwait(false);
            if (!packet.IsSuccess)
            {
                return packet.As<byte[]>();
            }

            var (id, contents) = (packet.Value!.PacketId, packet.Value.Contents);
            if (id is not (R30xPacket.Data or R30xPacket.EndOfData))
            {
                return DeviceResult<byte[]>.Failure(CompletionCode.InvalidData, $"expected image data, got {packet.Value} after {received} image bytes");
            }

            if (received + contents.Length <= image.Length)
            {
                contents.CopyTo(image, received);
            }

            received += contents.Length;
            if (id == R30xPacket.EndOfData)
            {
                return received == image.Length
                    ? DeviceResult<byte[]>.Success(image)
                    : DeviceResult<byte[]>.Failure(CompletionCode.InvalidData, WrongSize(received));
            }

            if (received > MaxUploadLength)
            {
                return DeviceResult<byte[]>.Failure(CompletionCode.InvalidData, $"{WrongSize(received)}; stopped reading it");
            }
        }
    }

    /// <summary>Beyond this the upload is not an image of any sensor this family has; stop reading rather than follow it.</summary>
    private const int MaxUploadLength = 4 * FingerImage.PackedLength;

    private static string WrongSize(int received) =>
        $"the module sent {received} bytes of image, not the {FingerImage.PackedLength} of a {FingerImage.Width}x{FingerImage.Height} sensor at 4 bits a pixel (an upload cut short, or a module with another sensor); nothing was kept, press again";

    /// <summary>Sends one command packet and maps the acknowledgement's confirmation code; the value is the rest of the acknowledgement.</summary>
    private async Task<DeviceResult<byte[]>> CommandAsync(byte[] contents, CancellationToken cancellationToken)
    {
        var sent = await SendAsync(new R30xPacket(R30xPacket.Command, contents), cancellationToken).ConfigureAwait(false);
        if (!sent.IsSuccess)
        {
            return sent.As<byte[]>();
        }

        var ack = await ReceiveAsync(cancellationToken).ConfigureAwait(false);
        if (!ack.IsSuccess)
        {
            return ack.As<byte[]>();
        }

        if (ack.Value!.PacketId != R30xPacket.Acknowledge || ack.Value.Contents.Length == 0)
        {
            return DeviceResult<byte[]>.Failure(CompletionCode.InvalidData, $"expected an acknowledgement, got {ack.Value}");
        }

        var confirmation = ack.Value.Contents[0];
        var (code, meaning) = R30xConfirmation.Map(confirmation);
        var instruction = $"instruction 0x{contents[0]:X2}";
        if (code == CompletionCode.Success)
        {
            SetStatus(DeviceStatus.Online, "module answered");
            return DeviceResult<byte[]>.Success(ack.Value.Contents[1..]);
        }

        if (code == CompletionCode.HardwareError)
        {
            SetStatus(DeviceStatus.HardwareError, meaning);
        }

        return DeviceResult<byte[]>.Failure(code, $"{instruction}: {meaning}", $"confirmation 0x{confirmation:X2}");
    }

    private async Task<DeviceResult<Done>> SendAsync(R30xPacket packet, CancellationToken cancellationToken)
    {
        var opened = _link.Open();
        if (!opened.IsSuccess)
        {
            return opened;
        }

        try
        {
            _link.DiscardInput();
            _link.Reader.Discard();
            await _link.Stream.WriteAsync(packet.Encode(_options.Address), cancellationToken).ConfigureAwait(false);
            await _link.Stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            return DeviceResult<Done>.Success(default);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            return _link.WentAway<Done>(ex);
        }
    }

    private async Task<DeviceResult<R30xPacket>> ReceiveAsync(CancellationToken cancellationToken)
    {
        using var responseTimeout = new CancellationTokenSource(_options.ResponseTimeout, TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, responseTimeout.Token);
        try
        {
            return DeviceResult<R30xPacket>.Success(await _link.Reader.ReadAsync(linked.Token).ConfigureAwait(false));
        }
        catch (InvalidDataException ex)
        {
            return DeviceResult<R30xPacket>.Failure(CompletionCode.InvalidData, ex.Message);
        }
        catch (OperationCanceledException) when (responseTimeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return DeviceResult<R30xPacket>.Failure(CompletionCode.Timeout, $"no complete packet within {_options.ResponseTimeout.TotalSeconds:0.#} s");
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            return _link.WentAway<R30xPacket>(ex);
        }
    }

    private static DeviceCapabilities CapabilitiesFor(R30xFingerprintReaderOptions options) => new()
    {
        Model = "R30x/ZFM/AS608 (UART)",
        Features = [$"dpi={options.Dpi}", "png", "iso19794-4:2005", $"image={FingerImage.Width}x{FingerImage.Height}"],
    };
}
