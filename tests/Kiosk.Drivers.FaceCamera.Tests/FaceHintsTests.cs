using Kiosk.Devices;
using Kiosk.Devices.FaceCamera;

namespace Kiosk.Drivers.FaceCamera.Tests;

/// <summary>One hint per frame from its verdict and failed gates, the first a person can act on: light, distance, then pose and focus.</summary>
public sealed class FaceHintsTests
{
    private static readonly FaceCameraOptions Options = new();

    // QualityGate is internal: the cases pass its value as an int.
    [TestCase(FaceVerdict.Accepted, (int)(QualityGate.None), 0.5, FaceHint.HoldStill)]
    [TestCase(FaceVerdict.MultipleFaces, (int)(QualityGate.None), 0.5, FaceHint.OneFaceOnly)]
    [TestCase(FaceVerdict.NoFace, (int)(QualityGate.None), 0.5, FaceHint.NoFace)]
    [TestCase(FaceVerdict.NoFace, (int)(QualityGate.None), 0.1, FaceHint.MoreLight)]
    [TestCase(FaceVerdict.Unreadable, (int)(QualityGate.None), 0.0, FaceHint.MoreLight)]
    [TestCase(FaceVerdict.Unreadable, (int)(QualityGate.None), 0.5, FaceHint.NoFace)]
    [TestCase(FaceVerdict.PoorQuality, (int)(QualityGate.TooDark | QualityGate.FaceTooSmall | QualityGate.NotSharp), 0.1, FaceHint.MoreLight)]
    [TestCase(FaceVerdict.PoorQuality, (int)(QualityGate.FaceTooSmall | QualityGate.HeadTurned), 0.5, FaceHint.MoveCloser)]
    [TestCase(FaceVerdict.PoorQuality, (int)(QualityGate.EyesTooClose), 0.5, FaceHint.MoveCloser)]
    [TestCase(FaceVerdict.PoorQuality, (int)(QualityGate.FaceTooLarge | QualityGate.NotCentred), 0.5, FaceHint.MoveBack)]
    [TestCase(FaceVerdict.PoorQuality, (int)(QualityGate.HeadTurned), 0.5, FaceHint.LookAtCamera)]
    [TestCase(FaceVerdict.PoorQuality, (int)(QualityGate.HeadTilted), 0.5, FaceHint.LookAtCamera)]
    [TestCase(FaceVerdict.PoorQuality, (int)(QualityGate.NotSharp), 0.5, FaceHint.LookAtCamera)]
    [TestCase(FaceVerdict.PoorQuality, (int)(QualityGate.EyesNotFound), 0.5, FaceHint.LookAtCamera)]
    [TestCase(FaceVerdict.PoorQuality, (int)(QualityGate.TooHighOrLow), 0.5, FaceHint.LookAtCamera)]
    [TestCase(FaceVerdict.PoorQuality, (int)(QualityGate.TooBright), 0.9, FaceHint.HoldStill)]
    [TestCase(FaceVerdict.PoorQuality, (int)(QualityGate.LowContrast), 0.5, FaceHint.HoldStill)]
    public void The_hint_is_the_first_failure_a_person_can_fix(FaceVerdict verdict, int failed, double frameBrightness, FaceHint expected)
    {
        var analysis = new FaceAnalysisResult
        {
            ImageWidth = 640,
            ImageHeight = 480,
            Faces = [],
            Verdict = verdict,
            Reasons = [],
            FailedGates = (QualityGate)failed,
            FrameBrightness = frameBrightness,
        };
        Assert.That(FaceHints.For(analysis, Options), Is.EqualTo(expected));
    }
}
