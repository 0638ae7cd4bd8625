using System.Buffers.Binary;
using System.IO.Ports;
using Kiosk.Devices.Serial;

namespace Kiosk.Devices.IdCardReader;

/// <summary>
/// Resident ID card reader speaking the GA/T 467-2004 SAM frame protocol over a serial line: find card,
/// select card, read text and photo. Text fields are decoded and the ID number's check character verified;
/// the WLT photo is passed on as delivered. Construct with options (the driver opens a <see cref="SerialPort"/>
/// and reopens it after the device went away) or with a <see cref="Stream"/> the caller opened.
/// </summary>
public sealed class SamIdCardReader : DeviceBase, IIdCardReader
{
    private readonly SamIdCardReaderOptions _options;
    private readonly SerialLink<SamFrameReader> _link;

    /// <summary>A reader on the serial port named in <paramref name="options"/>; <see cref="OpenAsync"/> opens it.</summary>
    public SamIdCardReader(string name, SamIdCardReaderOptions options, TimeProvider timeProvider)
        : base(name, DeviceClass.IdCardReader, timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _link = new SerialLink<SamFrameReader>(options.PortName, options.BaudRate, stream => new SamFrameReader(stream), SetStatus);
    }

    /// <summary>A reader on an already open stream (e.g. <see cref="SerialPort.BaseStream"/>); disposed with the reader when <paramref name="shouldDispose"/>.</summary>
    public SamIdCardReader(string name, Stream stream, SamIdCardReaderOptions options, TimeProvider timeProvider, bool shouldDispose = true)
        : base(name, DeviceClass.IdCardReader, timeProvider)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _link = new SerialLink<SamFrameReader>(stream, options.PortName, shouldDispose, given => new SamFrameReader(given), SetStatus);
    }

    public override DeviceCapabilities Capabilities { get; } = new()
    {
        Model = "GA/T 467 SAM (serial)",
        Features = ["ga467", "photo=wlt"],
    };

    public override Task<DeviceResult<Done>> OpenAsync(CancellationToken cancellationToken)
    {
        var opened = _link.Open();
        if (opened.IsSuccess)
        {
            SetStatus(DeviceStatus.Online, "opened");
        }

        return Task.FromResult(opened);
    }

    public Task<DeviceResult<IdCardData>> ReadCardAsync(DeviceClaim claim, IdCardReadRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return RunClaimedAsync(claim, request.Timeout, ReadAsync, cancellationToken);
    }

    protected override async Task<DeviceResult<Done>> CheckHealthCoreAsync(HealthCheckLevel level, CancellationToken cancellationToken)
    {
        if (level == HealthCheckLevel.Internal)
        {
            return !_link.IsOpen
                ? DeviceResult<Done>.Failure(CompletionCode.DeviceNotReady, $"{_options.PortName} is not open")
                : DeviceResult<Done>.Success(default);
        }

        // External and interactive alike ask the SAM for its management number: no card is needed for that,
        // and a technician at the kiosk proves a card with an ordinary read.
        var samId = await CommandAsync(SamFrame.ReadSamId, cancellationToken).ConfigureAwait(false);
        return samId.IsSuccess
            ? DeviceResult<Done>.Success(default) with { Description = $"SAM {Convert.ToHexString(samId.Value!.Data)}" }
            : samId.As<Done>();
    }

    protected override ValueTask DisposeCoreAsync()
    {
        _link.Dispose();
        return base.DisposeCoreAsync();
    }

    private async Task<DeviceResult<IdCardData>> ReadAsync(CancellationToken cancellationToken)
    {
        var found = await CommandAsync(SamFrame.FindCard, cancellationToken).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found.As<IdCardData>();
        }

        var selected = await CommandAsync(SamFrame.SelectCard, cancellationToken).ConfigureAwait(false);
        if (!selected.IsSuccess)
        {
            return selected.As<IdCardData>();
        }

        var read = await CommandAsync(SamFrame.ReadTextAndPhoto, cancellationToken).ConfigureAwait(false);
        if (!read.IsSuccess)
        {
            return read.As<IdCardData>();
        }

        // GA/T 467 basic information: text length (2, big-endian), photo length (2), text, photo.
        var data = read.Value!.Data;
        var textLength = data.Length >= 4 ? BinaryPrimitives.ReadUInt16BigEndian(data) : -1;
        var photoLength = data.Length >= 4 ? BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(2)) : -1;
        if (textLength != IdCardText.Length || data.Length != 4 + textLength + photoLength)
        {
            return DeviceResult<IdCardData>.Failure(CompletionCode.InvalidData, $"card data of {data.Length} bytes announces text {textLength} and photo {photoLength}", read.Value.StatusText);
        }

        var (card, error) = IdCardText.Parse(data.AsSpan(4, textLength), data.AsMemory(4 + textLength, photoLength));
        return card is null
            ? DeviceResult<IdCardData>.Failure(CompletionCode.InvalidData, error!, read.Value.StatusText)
            : DeviceResult<IdCardData>.Success(card);
    }

    /// <summary>One command and its response, with the SW3 status mapped to a completion code.</summary>
    private async Task<DeviceResult<SamResponse>> CommandAsync(SamCommand command, CancellationToken cancellationToken)
    {
        var response = await TransactAsync(command, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            return response;
        }

        var (code, meaning) = SamStatus.Map(response.Value!.Sw3);
        if (code == CompletionCode.Success)
        {
            SetStatus(DeviceStatus.Online, "SAM answered");
            return response;
        }

        if (code == CompletionCode.HardwareError)
        {
            SetStatus(DeviceStatus.HardwareError, meaning);
        }

        return DeviceResult<SamResponse>.Failure(code, $"{command}: {meaning}", response.Value.StatusText);
    }

    /// <summary>Sends a command and reads one frame; resends after a bad checksum (options.ChecksumRetries).</summary>
    private async Task<DeviceResult<SamResponse>> TransactAsync(SamCommand command, CancellationToken cancellationToken)
    {
        var opened = _link.Open();
        if (!opened.IsSuccess)
        {
            return opened.As<SamResponse>();
        }

        var frame = SamFrame.EncodeCommand(command);
        for (var attempt = 0; ; attempt++)
        {
            using var responseTimeout = new CancellationTokenSource(_options.ResponseTimeout, TimeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, responseTimeout.Token);
            try
            {
                _link.DiscardInput();
                _link.Reader.Discard();
                await _link.Stream.WriteAsync(frame, linked.Token).ConfigureAwait(false);
                await _link.Stream.FlushAsync(linked.Token).ConfigureAwait(false);
                return DeviceResult<SamResponse>.Success(await _link.Reader.ReadAsync(linked.Token).ConfigureAwait(false));
            }
            catch (InvalidDataException) when (attempt < _options.ChecksumRetries)
            {
                // A corrupted frame on a noisy line: send the command again.
            }
            catch (InvalidDataException ex)
            {
                return DeviceResult<SamResponse>.Failure(CompletionCode.InvalidData, $"{command}: {ex.Message}");
            }
            catch (OperationCanceledException) when (responseTimeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return DeviceResult<SamResponse>.Failure(CompletionCode.Timeout, $"{command}: no complete frame within {_options.ResponseTimeout.TotalSeconds:0.#} s");
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException)
            {
                return _link.WentAway<SamResponse>(ex);
            }
        }
    }
}
