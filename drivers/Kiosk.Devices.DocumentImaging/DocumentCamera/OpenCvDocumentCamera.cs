using System.Globalization;
using OpenCvSharp;

namespace Kiosk.Devices.DocumentImaging;

/// <summary>
/// A document camera (高拍仪) read through OpenCV's <c>cv::VideoCapture</c> (V4L2 on Linux, Media Foundation
/// on Windows; or a video, image sequence or image file), each capture analysed by <see cref="DocumentAnalyzer"/>.
/// No page in the frame is <see cref="CompletionCode.NoMedia"/> (device error <see cref="DocumentCameraErrors.NoPage"/>, or
/// <see cref="DocumentCameraErrors.CutOff"/> for a page partly out of view); a source that delivers no frame is
/// <see cref="DeviceStatus.NoDevice"/>; a frame too small to be a camera frame is <see cref="CompletionCode.InvalidData"/>.
/// </summary>
public sealed class OpenCvDocumentCamera : DeviceBase, IDocumentCamera
{
    private readonly DocumentCameraOptions _options;
    private readonly Lock _captureGate = new();
    private VideoCapture? _capture;

    public OpenCvDocumentCamera(string name, DocumentCameraOptions options, TimeProvider timeProvider)
        : base(name, DeviceClass.DocumentCamera, timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException($"document camera '{name}': {string.Join("; ", errors)}", nameof(options));
        }

        _options = options;
        Capabilities = new DeviceCapabilities
        {
            Model = $"OpenCV VideoCapture ({Redact.Credentials(options.Source)})",
            Firmware = "OpenCV " + Cv2.GetVersionString(),
            Features = [options.Format, "maxDpi=600", "pageDetection", "binarize"],
        };
    }

    public override DeviceCapabilities Capabilities { get; }

    public override async Task<DeviceResult<Done>> OpenAsync(CancellationToken cancellationToken)
    {
        var opened = await Task.Run(Reopen, cancellationToken).ConfigureAwait(false);
        if (!opened)
        {
            SetStatus(DeviceStatus.NoDevice, $"cannot open '{_options.Source}'");
            return DeviceResult<Done>.Failure(CompletionCode.DeviceNotReady, $"cannot open video source '{_options.Source}'", "VideoCapture.IsOpened false");
        }

        SetStatus(DeviceStatus.Online, "opened");
        return DeviceResult<Done>.Success(default);
    }

    public Task<DeviceResult<DocumentPage>> CaptureDocumentAsync(DeviceClaim claim, DocumentCaptureRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        // Decoding and analysis are CPU work: off the caller's thread, so the operation is truly asynchronous.
        return RunClaimedAsync(claim, request.Timeout, ct => Task.Run(() => Capture(request, ct), ct), cancellationToken);
    }

    protected override async Task<DeviceResult<Done>> CheckHealthCoreAsync(HealthCheckLevel level, CancellationToken cancellationToken)
    {
        if (level == HealthCheckLevel.Internal)
        {
            return _capture is { } capture && capture.IsOpened()
                ? DeviceResult<Done>.Success(default)
                : DeviceResult<Done>.Failure(CompletionCode.DeviceNotReady, "video source not open");
        }

        // External and interactive: a frame must arrive (a page need not be under the camera).
        return await Task.Run(
            () =>
            {
                using var frame = ReadFrame(out var failure);
                return failure ?? DeviceResult<Done>.Success(default);
            },
            cancellationToken).ConfigureAwait(false);
    }

    protected override async ValueTask DisposeCoreAsync()
    {
        lock (_captureGate)
        {
            _capture?.Dispose();
            _capture = null;
        }

        await base.DisposeCoreAsync().ConfigureAwait(false);
    }

    private DeviceResult<DocumentPage> Capture(DocumentCaptureRequest request, CancellationToken cancellationToken)
    {
        using var frame = ReadFrame(out var failure);
        if (frame is null)
        {
            return failure!.As<DocumentPage>();
        }

        cancellationToken.ThrowIfCancellationRequested();
        var analysis = DocumentAnalyzer.Analyze(frame, _options.AnalysisSettings(request.Dpi, request.Binarize) with { ThumbnailHeight = request.ThumbnailHeight });
        cancellationToken.ThrowIfCancellationRequested();
        SetStatus(DeviceStatus.Online, "frame captured");
        if (!analysis.PageFound)
        {
            return analysis.Miss == PageMiss.CutOff
                ? DeviceResult<DocumentPage>.Failure(CompletionCode.NoMedia, "the page runs over the edge of the camera's view", DocumentCameraErrors.CutOff)
                : DeviceResult<DocumentPage>.Failure(CompletionCode.NoMedia, "no page under the camera", DocumentCameraErrors.NoPage);
        }

        return DeviceResult<DocumentPage>.Success(new DocumentPage(analysis.Image!, true, Math.Round(analysis.Blur, 3), Math.Round(analysis.Glare, 4)) { Thumbnail = analysis.Thumbnail });
    }

    /// <summary>
    /// One frame after the warm-up frames. A file source at its end is reopened (looped playback); a source
    /// that still gives nothing is unplugged.
    /// </summary>
    private Mat? ReadFrame(out DeviceResult<Done>? failure)
    {
        lock (_captureGate)
        {
            var frame = new Mat();
            // VideoCapture decodes a still image once, at open: reopen it so every capture sees the file as it is now.
            var fresh = !IsStillImage || Reopen();
            if (!(fresh && TryRead(frame)) && !(Reopen() && TryRead(frame)))
            {
                frame.Dispose();
                SetStatus(DeviceStatus.NoDevice, $"no frame from '{_options.Source}'");
                failure = DeviceResult<Done>.Failure(CompletionCode.DeviceNotReady, $"no frame from video source '{_options.Source}'", "VideoCapture.Read false");
                return null;
            }

            if (frame.Width < _options.MinFrameSide || frame.Height < _options.MinFrameSide)
            {
                var size = $"{frame.Width}x{frame.Height}";
                frame.Dispose();
                failure = DeviceResult<Done>.Failure(CompletionCode.InvalidData, $"a {size} frame is not a camera frame (corrupt or truncated)", "frame size " + size);
                return null;
            }

            failure = null;
            return frame;
        }
    }

    private bool IsStillImage => Path.GetExtension(_options.Source).ToUpperInvariant() is ".PNG" or ".JPG" or ".JPEG" or ".BMP" or ".TIF" or ".TIFF"
        && !_options.Source.Contains('%', StringComparison.Ordinal);

    private bool TryRead(Mat frame)
    {
        if (_capture is null || !_capture.IsOpened())
        {
            return false;
        }

        for (var i = 0; i < _options.WarmUpFrames; i++)
        {
            _capture.Read(frame);
        }

        return _capture.Read(frame) && !frame.Empty();
    }

    private bool Reopen()
    {
        lock (_captureGate)
        {
            _capture?.Dispose();
            _capture = int.TryParse(_options.Source, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                ? new VideoCapture(index)
                : new VideoCapture(_options.Source);
            if (index.ToString(CultureInfo.InvariantCulture) == _options.Source)
            {
                _capture.Set(VideoCaptureProperties.FrameWidth, _options.FrameWidth);
                _capture.Set(VideoCaptureProperties.FrameHeight, _options.FrameHeight);
            }

            return _capture.IsOpened();
        }
    }
}
