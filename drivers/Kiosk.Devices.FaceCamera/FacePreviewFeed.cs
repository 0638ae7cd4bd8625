using OpenCvSharp;

namespace Kiosk.Devices.FaceCamera;

/// <summary>
/// Sends the screen a preview of frames the capture has analysed: the frame scaled down to at most
/// <see cref="MaxWidth"/> pixels wide and JPEG-encoded in memory, the face box scaled with it, and the hint from the
/// frame's own analysis (<see cref="FaceHints"/>). At most one frame per <see cref="MinInterval"/>; the rest cost nothing.
/// A capture without a listener has no feed at all (<see cref="For"/> returns null), so nothing is scaled or encoded.
/// Preview frames go to the listener only: nothing is written to disk or kept.
/// Thread safety: one capture's thread at a time.
/// </summary>
internal sealed class FacePreviewFeed
{
    /// <summary>Wide enough for the screen's preview area, small enough to send ten a second as data: URLs.</summary>
    public const int MaxWidth = 320;

    /// <summary>A preview is looked at, never kept: a lower quality than the capture's keeps each frame to a few kB.</summary>
    public const int JpegQuality = 70;

    /// <summary>Ten frames a second look live to a person and keep the screen's event stream light.</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(100);

    private readonly IProgress<FacePreview> _listener;
    private readonly FaceCameraOptions _options;
    private readonly TimeProvider _timeProvider;
    private long? _lastSent;
    private bool _failed;

    private FacePreviewFeed(IProgress<FacePreview> listener, FaceCameraOptions options, TimeProvider timeProvider)
    {
        _listener = listener;
        _options = options;
        _timeProvider = timeProvider;
    }

    /// <summary>A feed to <paramref name="listener"/>, or null when nobody listens.</summary>
    public static FacePreviewFeed? For(IProgress<FacePreview>? listener, FaceCameraOptions options, TimeProvider timeProvider) =>
        listener is null ? null : new FacePreviewFeed(listener, options, timeProvider);

    /// <summary>Sends <paramref name="frame"/> with what its analysis found, unless one was sent less than <see cref="MinInterval"/> ago.</summary>
    public void Offer(Mat frame, FaceAnalysisResult analysis)
    {
        var now = _timeProvider.GetTimestamp();
        if (_failed || !IsPicture(frame) || (_lastSent is { } last && _timeProvider.GetElapsedTime(last, now) < MinInterval))
        {
            return;
        }

        _lastSent = now;
        var preview = Preview(frame, analysis);
        try
        {
            _listener.Report(preview);
        }
#pragma warning disable CA1031 // A listener that throws loses its preview, never the capture (nor marks the camera faulty).
        catch (Exception)
#pragma warning restore CA1031
        {
            _failed = true;
        }
    }

    /// <summary>An 8-bit grey, BGR or BGRA frame: what can be scaled and encoded as JPEG (a corrupt frame is skipped).</summary>
    private static bool IsPicture(Mat frame) =>
        !frame.Empty() && frame.Depth() == MatType.CV_8U && frame.Channels() is 1 or 3 or 4 && frame.Width >= 2 && frame.Height >= 2;

    private FacePreview Preview(Mat frame, FaceAnalysisResult analysis)
    {
        var scale = Math.Min(1, (double)MaxWidth / frame.Width);
        var size = new Size(Math.Max(1, (int)Math.Round(frame.Width * scale)), Math.Max(1, (int)Math.Round(frame.Height * scale)));
        using var small = new Mat();
        Cv2.Resize(frame, small, size, 0, 0, InterpolationFlags.Area);
        if (small.Channels() == 4)
        {
            Cv2.CvtColor(small, small, ColorConversionCodes.BGRA2BGR);
        }

        Cv2.ImEncode(".jpg", small, out var jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, JpegQuality));
        var box = analysis.Face is { } face ? Scaled(face, scale, size) : (PreviewBox?)null;
        return new FacePreview(new CapturedImage(jpeg, "image/jpeg", size.Width, size.Height), box, FaceHints.For(analysis, _options));
    }

    private static PreviewBox Scaled(FaceBox face, double scale, Size frame)
    {
        var x = Math.Clamp((int)Math.Round(face.X * scale), 0, frame.Width - 1);
        var y = Math.Clamp((int)Math.Round(face.Y * scale), 0, frame.Height - 1);
        var width = Math.Clamp((int)Math.Round(face.Width * scale), 1, frame.Width - x);
        var height = Math.Clamp((int)Math.Round(face.Height * scale), 1, frame.Height - y);
        return new PreviewBox(x, y, width, height);
    }
}
