using Kiosk.Devices;
using Kiosk.Devices.FaceCamera;
using Kiosk.Devices.Tests.Contracts;
using Kiosk.TestSupport;
using OpenCvSharp;

namespace Kiosk.Drivers.FaceCamera.Tests;

/// <summary>
/// The HAL face camera contract against the real driver, through OpenCV's real VideoCapture (CAP_IMAGES)
/// over an image sequence written from the real photographs. The stand-in for the camera is the folder:
/// the hooks rewrite or delete its frames. Captures do real work, so the device runs on the system clock.
/// </summary>
[TestFixture]
public sealed class OpenCvFaceCameraContractTests : FaceCameraContract<OpenCvFaceCamera>
{
    private TempFolder? _folder;
    private string _pattern = "";

    protected override OpenCvFaceCamera CreateDevice(TimeProvider timeProvider)
    {
        Models.RequireDefault();
        if (_folder is null)
        {
            _folder = new TempFolder("face-camera");
            using var photo = Photos.Load("astronaut.png");
            Write(Photos.LiveBurst(photo, Request.BurstFrames));
        }

        return new OpenCvFaceCamera("faceCamera", new FaceCameraOptions { Source = _pattern }, TimeProvider.System);
    }

    [TearDown]
    public void DeleteFrames()
    {
        _folder?.Dispose();
        _folder = null;
    }

    protected override async Task<T> DriveAsync<T>(Task<T> task) => await task.WaitAsync(TimeSpan.FromSeconds(60));

    // A burst from image files can be read in full before the test's cancel lands.
    protected override bool MayFinishBeforeCancellation => true;

    protected override bool ArrangeUnplugged()
    {
        foreach (var frame in Directory.GetFiles(_folder!.Path))
        {
            File.Delete(frame);
        }

        return true;
    }

    // The driver runs on the system clock (its captures complete on real decoding work), so the
    // contract's fake-clock delays cannot slow it down or make it hang, and a file source always answers.
    // A stalled live stream still ends at request.Timeout: DeviceBase's timeout ends the operation while
    // the native read finishes in the background (see OpenCvFaceCamera.RunReadAsync).
    protected override bool ArrangeSlow() => false;

    protected override bool ArrangeTimeout() => false;

    // An exception inside the pipeline is the only path to HardwareError, and a file source cannot cause one.
    protected override bool ArrangeHardwareError() => false;

    protected override bool ArrangeGarbage()
    {
        // A broken USB transfer decodes as all-zero YUV, which shows as a uniform green frame.
        Write(Enumerable.Range(0, Request.BurstFrames).Select(_ => new Mat(512, 512, MatType.CV_8UC3, new Scalar(0, 135, 0))).ToList());
        return true;
    }

    protected override bool ArrangeNoFace()
    {
        using var page = Photos.Load("page.png");
        Write(Photos.LiveBurst(page, Request.BurstFrames));
        return true;
    }

    protected override bool ArrangeTwoFaces()
    {
        using var photo = Photos.Load("astronaut.png");
        using var mirrored = new Mat();
        Cv2.Flip(photo, mirrored, FlipMode.Y);
        using var both = Photos.SideBySide(photo, mirrored);
        Write(Photos.LiveBurst(both, Request.BurstFrames));
        return true;
    }

    private void Write(IReadOnlyList<Mat> frames)
    {
        _pattern = Photos.WriteSequence(_folder!.Path, frames);
        Photos.DisposeAll(frames);
    }
}
