using Kiosk.Devices.FaceCamera;
using Kiosk.TestSupport;

namespace Kiosk.Drivers.FaceCamera.Tests;

/// <summary>Choosing the detector by configuration: each needs only its own files, and every problem names its key and its fix.</summary>
public sealed class DetectorOptionsTests
{
    [Test]
    public void A_missing_BlazeFace_model_names_the_key_and_how_to_get_the_model()
    {
        var errors = new FaceCameraOptions { BlazeFaceModelPath = "/nonexistent/blazeface.onnx" }.Validate();
        Assert.That(errors, Has.One.StartsWith("BlazeFaceModelPath '/nonexistent/blazeface.onnx' does not exist").And.Contain("deploy/fetch-face-model.sh").And.Contain("Haar or Lbp"));
    }

    [Test]
    public void A_cascade_detector_needs_no_model_and_only_its_own_cascade()
    {
        var haar = new FaceCameraOptions { Detector = FaceDetectorKind.Haar, BlazeFaceModelPath = "/nonexistent.onnx", LbpCascadePath = "/nonexistent.xml" };
        var lbp = new FaceCameraOptions { Detector = FaceDetectorKind.Lbp, BlazeFaceModelPath = "/nonexistent.onnx", LbpCascadePath = "/nonexistent-lbp.xml" };
        Assert.That(haar.Validate(), Is.Empty);
        Assert.That(lbp.Validate(), Has.One.StartsWith("LbpCascadePath '/nonexistent-lbp.xml' does not exist (install opencv-data)"));
    }

    [Test]
    public void A_detector_that_does_not_exist_is_named_with_the_choices()
    {
        var errors = new FaceCameraOptions { Detector = (FaceDetectorKind)42 }.Validate();
        Assert.That(errors, Has.One.EqualTo("Detector '42' is not a detector: use BlazeFace, Haar or Lbp"));
    }

    [Test]
    public void A_detection_score_outside_zero_to_one_is_refused()
    {
        var errors = new FaceCameraOptions { MinDetectionScore = 1.5, BlazeFaceModelPath = Models.Folder }.Validate();
        Assert.That(errors, Has.Some.StartsWith("MinDetectionScore must be in (0, 1)"));
    }

    [Test]
    public void A_file_that_is_no_model_is_refused_when_the_detector_is_built()
    {
        using var folder = new TempFolder("blazeface");
        var notAModel = folder.File("model.onnx");
        File.WriteAllText(notAModel, "not a model");
        var error = Assert.Throws<ArgumentException>(() => _ = new FaceAnalyzer(new FaceCameraOptions { BlazeFaceModelPath = notAModel }));
        Assert.That(error!.Message, Does.Contain("BlazeFaceModelPath").And.Contain(notAModel));
    }

    [Test]
    public async Task The_camera_says_which_detector_it_runs()
    {
        var options = Models.Require(new FaceCameraOptions { Source = "/nonexistent/frame_%03d.png" });
        await using var camera = new OpenCvFaceCamera("faceCamera", options, TimeProvider.System);
        Assert.That(camera.Capabilities.Features, Does.Contain("detector=BlazeFace"));
    }
}
