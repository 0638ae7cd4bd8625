using OpenCvSharp;

namespace Kiosk.Devices.FaceCamera;

/// <summary>
/// The OpenCV <see cref="VideoCapture"/> behind the camera: a device index, a V4L2 node, a URL, a video
/// file or an image sequence pattern (OpenCV's CAP_IMAGES backend, "frame_%03d.png").
/// Not thread safe: <see cref="OpenCvFaceCamera"/> runs one read at a time.
/// </summary>
internal sealed class FrameSource(FaceCameraOptions options) : IDisposable
{
    private VideoCapture? _capture;

    public bool IsOpen => _capture is not null;

    /// <summary>Name of the OpenCV backend in use (V4L2, FFMPEG, CV_IMAGES...), empty when closed.</summary>
    public string Backend { get; private set; } = "";

    /// <summary>Opens the source; returns why it could not, or null.</summary>
    public string? TryOpen()
    {
        Close();
        var capture = options.TryGetDeviceIndex(out var index)
            ? new VideoCapture(index)
            : new VideoCapture(options.Source);
        if (!capture.IsOpened())
        {
            capture.Dispose();
            return $"cannot open video source '{options.Source}'";
        }

        if (options.FrameWidth > 0 && options.FrameHeight > 0)
        {
            capture.Set(VideoCaptureProperties.FrameWidth, options.FrameWidth);
            capture.Set(VideoCaptureProperties.FrameHeight, options.FrameHeight);
        }

        _capture = capture;
        Backend = capture.GetBackendName();
        return null;
    }

    /// <summary>
    /// A recorded source (file, sequence) replays from its first frame for every capture, so a
    /// recording behaves like a person standing in front of the kiosk. It is reopened rather than
    /// seeked: with OpenCV 4.13, seeking an image sequence back to frame 0 went on delivering the old
    /// pictures after its files had been rewritten.
    /// </summary>
    public string? Rewind() => TryOpen();

    /// <summary>Reads the next frame into <paramref name="frame"/>; false when the source gave none (unplugged, end of recording).</summary>
    public bool TryRead(Mat frame) => _capture is not null && _capture.Read(frame) && !frame.Empty();

    public void Close()
    {
        _capture?.Dispose();
        _capture = null;
        Backend = "";
    }

    public void Dispose() => Close();
}
