using Kiosk.Devices.FaceCamera;
using Kiosk.TestSupport;

namespace Kiosk.Drivers.FaceCamera.Tests;

/// <summary>
/// The detectors under test and what they need: the BlazeFace models (deploy/fetch-face-model.sh into .cache/models,
/// copied next to the tests by the build) and the evaluation set (tests/data/fetch-face-eval-set.sh). A test whose
/// model or set is missing is ignored with the reason, never passed.
/// </summary>
internal static class Models
{
    public static string Folder => Path.GetDirectoryName(FaceCameraOptions.DefaultBlazeFaceModelPath)!;

    public static FaceCameraOptions Options(string detector) => detector switch
    {
        "Haar" => new FaceCameraOptions { Detector = FaceDetectorKind.Haar },
        "Lbp" => new FaceCameraOptions { Detector = FaceDetectorKind.Lbp },
        "BlazeFace" => new FaceCameraOptions { Detector = FaceDetectorKind.BlazeFace },
        "BlazeFaceFront" => new FaceCameraOptions { Detector = FaceDetectorKind.BlazeFace, BlazeFaceModelPath = Path.Combine(Folder, "face_detection_front_128x128_barracuda.onnx") },
        _ => throw new ArgumentException($"no detector '{detector}'", nameof(detector)),
    };

    /// <summary>Ignores the test when the options name a BlazeFace model that is not there.</summary>
    public static FaceCameraOptions Require(FaceCameraOptions options)
    {
        if (options.Detector == FaceDetectorKind.BlazeFace && !File.Exists(options.BlazeFaceModelPath))
        {
            Assert.Ignore($"the BlazeFace model {options.BlazeFaceModelPath} is missing: run deploy/fetch-face-model.sh .cache/models and rebuild (./kiosk.sh test does)");
        }

        return options;
    }

    /// <summary>Ignores the test when the default detector's model is not there.</summary>
    public static void RequireDefault() => Require(new FaceCameraOptions());

    /// <summary>The embedding matcher's default options; ignores the test when its model (or the detector's) is not there.</summary>
    public static FaceMatcherOptions RequireEmbedding()
    {
        RequireDefault();
        var options = new FaceMatcherOptions { Method = FaceMatcherMethod.Embedding };
        if (!File.Exists(options.EmbeddingModelPath))
        {
            Assert.Ignore($"the face embedding model {options.EmbeddingModelPath} is missing: run deploy/fetch-face-model.sh .cache/models and rebuild (./kiosk.sh test does)");
        }

        return options;
    }

    public static FaceEvalImage Frame(string name)
    {
        if (FaceEvalSet.Missing is { } missing)
        {
            Assert.Ignore(missing);
        }

        return FaceEvalSet.Get(name);
    }
}
