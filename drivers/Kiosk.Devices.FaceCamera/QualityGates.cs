using System.Globalization;

namespace Kiosk.Devices.FaceCamera;

/// <summary>
/// Turns <see cref="FaceMeasures"/> into a 0..100 score and the list of failed gates. Each gate gives a
/// sub-score in 0..1 (1 = comfortably inside the limit); the score is their mean, and a face that fails
/// any gate scores at most <see cref="FailedCeiling"/>, so "best of burst" always prefers a passing frame.
/// </summary>
internal static class QualityGates
{
    public const int FailedCeiling = 49;

    public static (int Score, IReadOnlyList<string> Reasons) Evaluate(FaceMeasures m, FaceCameraOptions o)
    {
        var reasons = new List<string>();
        Gate(reasons, m.FaceWidth >= o.MinFaceWidth, "face too small: {0} px wide, at least {1} needed", m.FaceWidth, o.MinFaceWidth);
        Gate(reasons, m.EyesFound, "eyes not found: eye distance estimated and pose not measured");
        Gate(reasons, m.EyeDistance >= o.MinEyeDistance, "eyes too close: {0} px apart, at least {1} needed", m.EyeDistance, o.MinEyeDistance);
        Gate(reasons, m.LaplacianVariance >= o.MinSharpness, "not sharp: Laplacian variance {0:0.#}, at least {1:0.#} needed", m.LaplacianVariance, o.MinSharpness);
        Gate(reasons, m.Brightness >= o.MinBrightness, "too dark: brightness {0:0.00}, at least {1:0.00} needed", m.Brightness, o.MinBrightness);
        Gate(reasons, m.Brightness <= o.MaxBrightness, "too bright: brightness {0:0.00}, at most {1:0.00} allowed", m.Brightness, o.MaxBrightness);
        Gate(reasons, m.Contrast >= o.MinContrast, "low contrast: {0:0.00}, at least {1:0.00} needed", m.Contrast, o.MinContrast);
        Gate(reasons, Math.Abs(m.RollDegrees) <= o.MaxRollDegrees, "head tilted: roll {0:0.#} degrees, at most {1:0.#} allowed", m.RollDegrees, o.MaxRollDegrees);
        Gate(reasons, Math.Abs(m.YawDegrees) <= o.MaxYawDegrees, "head turned: yaw {0:0.#} degrees, at most {1:0.#} allowed", m.YawDegrees, o.MaxYawDegrees);
        Gate(reasons, m.CentreOffsetX <= o.MaxCentreOffset, "face not centred: {0:0.00} of the width off centre, at most {1:0.00} allowed", m.CentreOffsetX, o.MaxCentreOffset);
        Gate(reasons, m.CentreOffsetY <= o.MaxVerticalOffset, "face too high or too low: {0:0.00} of the height off centre, at most {1:0.00} allowed", m.CentreOffsetY, o.MaxVerticalOffset);

        var middle = (o.MinBrightness + o.MaxBrightness) / 2;
        double[] parts =
        [
            Unit(m.FaceWidth / (1.5 * o.MinFaceWidth)),
            Unit(m.EyeDistance / (1.5 * o.MinEyeDistance)) * (m.EyesFound ? 1 : 0.5),
            Unit(m.LaplacianVariance / (3 * Math.Max(o.MinSharpness, 1))),
            Unit(1 - (Math.Abs(m.Brightness - middle) / (o.MaxBrightness - middle))),
            Unit(m.Contrast / (2 * Math.Max(o.MinContrast, 0.01))),
            Unit(1 - (Math.Max(Math.Abs(m.RollDegrees) / o.MaxRollDegrees, Math.Abs(m.YawDegrees) / o.MaxYawDegrees) / 2)),
            Unit(1 - (Math.Max(m.CentreOffsetX / o.MaxCentreOffset, m.CentreOffsetY / o.MaxVerticalOffset) / 2)),
        ];
        var score = (int)Math.Round(100 * parts.Average());
        return (reasons.Count > 0 ? Math.Min(score, FailedCeiling) : score, reasons);
    }

    /// <summary>Sharpness on 0..1 for <see cref="FaceQuality.Sharpness"/>: one third at the gate, approaching 1 for sharp faces.</summary>
    public static double NormalisedSharpness(double laplacianVariance, FaceCameraOptions o) =>
        laplacianVariance / (laplacianVariance + (2 * Math.Max(o.MinSharpness, 1)));

    private static double Unit(double value) => Math.Clamp(value, 0, 1);

    private static void Gate(List<string> reasons, bool passed, string format, params object[] values)
    {
        if (!passed)
        {
            reasons.Add(string.Format(CultureInfo.InvariantCulture, format, values));
        }
    }
}
