using Kiosk.Devices;
using Kiosk.Devices.DocumentImaging;
using Kiosk.Devices.Tests.Contracts;
using Kiosk.TestSupport;
using OpenCvSharp;

namespace Kiosk.Drivers.DocumentImaging.Tests.DocumentCamera;

/// <summary>
/// The document camera contract on the real driver, with an image file as the stand-in for the camera
/// (cv::VideoCapture reads it through its image-sequence backend, exactly as it reads a camera).
/// </summary>
public sealed class OpenCvDocumentCameraContractTests : DocumentCameraContract<OpenCvDocumentCamera>
{
    private TempFolder _folder = null!;

    private string FramePath => Path.Combine(_folder.Path, "frame.png");

    protected override OpenCvDocumentCamera CreateDevice(TimeProvider timeProvider)
    {
        _folder ??= new TempFolder("document-camera");
        if (!File.Exists(FramePath))
        {
            using var scene = DeskScene.Create(15, 0.08);
            Cv2.ImWrite(FramePath, scene.Frame);
        }

        return new OpenCvDocumentCamera("documentCamera", new DocumentCameraOptions { Source = FramePath }, timeProvider);
    }

    [TearDown]
    public void DeleteFolder()
    {
        _folder?.Dispose();
        _folder = null!;
    }

    protected override Task<T> DriveAsync<T>(Task<T> task) => RealIo.DriveAsync(task, Time, TimeSpan.FromSeconds(20));

    // A frame read from an image file and processed on another thread can be done before the test's cancel lands on a
    // loaded machine (it did once in CI: Success where Canceled was expected); the contract then cancels first.
    protected override bool MayFinishBeforeCancellation => true;

    protected override bool ArrangeNoPage()
    {
        File.Copy(RepositoryPaths.TestDataFile("coffee.png"), FramePath, overwrite: true);
        return true;
    }

    protected override bool ArrangeUnplugged()
    {
        File.Delete(FramePath);
        return true;
    }

    protected override bool ArrangeGarbage()
    {
        // A truncated frame: what a camera with a broken USB transfer delivers.
        using var tiny = new Mat(8, 8, MatType.CV_8UC3, Scalar.All(128));
        Cv2.ImWrite(FramePath, tiny);
        return true;
    }

    // A file source answers at once: it cannot be slowed down, made to hang, or fail after opening
    // (a read error on an open camera). Those paths are the base class's timeout and exception mapping.
    protected override bool ArrangeSlow() => false;

    protected override bool ArrangeTimeout() => false;

    protected override bool ArrangeHardwareError() => false;
}
