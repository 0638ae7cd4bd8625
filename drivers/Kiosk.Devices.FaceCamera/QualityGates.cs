using System.Globalization;

namespace Kiosk.Devices.FaceCamera;

/// <summary>
/// Turns <see cref="FaceMeasures"/> into a 0..100 score and the list of failed gates. Each gate gives a
/// sub-score in 0..1 (1 = comfortably inside the limit); the score is their mean, and a face that fails
/// any gate scores at most <see cref="FailedCeiling"/>, so "best of burst" always prefers a passing frame.
/// The failed gates come back both as reasons (words) and as <see cref="QualityGate"/> flags.
/// </summary>
internal static class QualityGates
{
    public const int FailedCeiling = 49;

    public static (int Score, IReadOnlyList<string> Reasons, QualityGate Failed) Evaluate(FaceMeasures m, FaceCameraOptions o)
    {
        var reasons = new List<string>();
        var failed = QualityGate.None;
        void Gate(QualityGate gate, bool passed, string format, params object[] values)
        {
            if (!passed)
            {
                failed |= gate;
                reasons.Add(string.Format(CultureInfo.InvariantCulture, format, values));
            }
        }

        Gate(QualityGate.FaceTooSmall, m.FaceWidth >= o.MinFaceWidth, "face too small: {0} px wide, at least {1} needed", m.FaceWidth, o.MinFaceWidth);
        Gate(QualityGate.FaceTooLarge, m.FaceWidthFraction <= o.MaxFaceWidthFraction, "face too large: {0:0.00} of the image width, at most {1:0.00} allowed", m.FaceWidthFraction, o.MaxFaceWidthFraction);
        Gate(QualityGate.EyesNotFound, m.EyesFound, "eyes not found: eye distance estimated and pose not measured");
        Gate(QualityGate.EyesTooClose, m.EyeDistance >= o.MinEyeDistance, "eyes too close: {0} px apart, at least {1} needed", m.EyeDistance, o.MinEyeDistance);
        Gate(QualityGate.NotSharp, m.LaplacianVariance >= o.MinSharpness, "not sharp: Laplacian variance {0:0.#}, at least {1:0.#} needed", m.LaplacianVariance, o.MinSharpness);
        Gate(QualityGate.TooDark, m.Brightness >= o.MinBrightness, "too dark: brightness {0:0.00}, at least {1:0.00} needed", m.Brightness, o.MinBrightness);
        Gate(QualityGate.TooBright, m.Brightness <= o.MaxBrightness, "too bright: brightness {0:0.00}, at most {1:0.00} allowed", m.Brightness, o.MaxBrightness);
        Gate(QualityGate.LowContrast, m.Contrast >= o.MinContrast, "low contrast: {0:0.00}, at least {1:0.00} needed", m.Contrast, o.MinContrast);
        Gate(QualityGate.HeadTilted, Math.Abs(m.RollDegrees) <= o.MaxRollDegrees, "head tilted: roll {0:0.#} degrees, at most {1:0.#} allowed", m.RollDegrees, o.MaxRollDegrees);
        Gate(QualityGate.HeadTurned, Math.Abs(m.YawDegrees) <= o.MaxYawDegrees, "head turned: yaw {0:0.#} degrees, at most {1:0.#} allowed", m.YawDegrees, o.MaxYawDegrees);
        Gate(QualityGate.NotCentred, m.CentreOffsetX <= o.MaxCentreOffset, "face not centred: {0:0.00} of the width off centre, at most {1:0.00} allowed", m.CentreOffsetX, o.MaxCentreOffset);
        Gate(QualityGate.TooHighOrLow, m.CentreOffsetY <= o.MaxVerticalOffset, "face too high or too low: {0:0.00} of the height off centre, at most {1:0.00} allowed", m.CentreOffsetY, o.MaxVerticalOffset);

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
        return (reasons.Count > 0 ? Math.Min(score, FailedCeiling) : score, reasons, failed);
    }

    /// <summary>Sharpness on 0..1 for <see cref="FaceQuality.Sharpness"/>: one third at the gate, approaching 1 for sharp faces.</summary>
    public static double NormalisedSharpness(double laplacianVariance, FaceCameraOptions o) =>
        laplacianVariance / (laplacianVariance + (2 * Math.Max(o.MinSharpness, 1)));

    private static double Unit(double value) => Math.Clamp(value, 0, 1);
}
