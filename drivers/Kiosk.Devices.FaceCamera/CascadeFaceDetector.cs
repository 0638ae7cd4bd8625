using OpenCvSharp;

namespace Kiosk.Devices.FaceCamera;

/// <summary>
/// Cascades from opencv-data: a frontal-face cascade (Viola-Jones Haar, or LBP: both load into a <see cref="CascadeClassifier"/>),
/// then the Haar eye cascade inside each face's upper half.
/// </summary>
internal sealed class CascadeFaceDetector : IFaceDetector
{
    // Faces smaller than this are not searched for at all; faces between this and MinFaceWidth are
    // found and then fail the size gate, which tells the person to step closer instead of "no face".
    private const int SmallestSearchedFace = 40;

    private readonly CascadeClassifier _faces;
    private readonly CascadeClassifier _eyes;

    public CascadeFaceDetector(string faceCascadePath, string eyeCascadePath)
    {
        _faces = Load(faceCascadePath);
        try
        {
            _eyes = Load(eyeCascadePath);
        }
        catch
        {
            _faces.Dispose();
            throw;
        }
    }

    public IReadOnlyList<DetectedFace> Detect(Mat colour, Mat grey)
    {
        ArgumentNullException.ThrowIfNull(grey);
        using var equalised = new Mat();
        Cv2.EqualizeHist(grey, equalised);
        // scaleFactor 1.1 and minNeighbors 5: the values of OpenCV's face detection tutorial, which keep
        // cascade false positives (the usual source of a phantom "second face") rare.
        var boxes = _faces.DetectMultiScale(equalised, 1.1, 5, HaarDetectionTypes.ScaleImage, new Size(SmallestSearchedFace, SmallestSearchedFace));
        return boxes.Select(box => WithEyes(equalised, box)).ToList();
    }

    public void Dispose()
    {
        _faces.Dispose();
        _eyes.Dispose();
    }

    private DetectedFace WithEyes(Mat equalised, Rect box)
    {
        // Eyes lie in the upper part of a frontal face box (ISO/IEC 19794-5 token geometry puts the eye
        // line at about 0.4 of the face height from the top), so search only the top 60 %.
        var upper = new Rect(box.X, box.Y, box.Width, (int)(box.Height * 0.6));
        using var region = new Mat(equalised, upper);
        var minEye = Math.Max(8, box.Width / 8);
        var eyes = _eyes.DetectMultiScale(region, 1.1, 3, HaarDetectionTypes.ScaleImage, new Size(minEye, minEye), new Size(box.Width / 2, box.Width / 2));
        var centreX = box.Width / 2.0;
        var left = eyes.Where(e => e.X + (e.Width / 2.0) < centreX).OrderByDescending(e => e.Width).Cast<Rect?>().FirstOrDefault();
        var right = eyes.Where(e => e.X + (e.Width / 2.0) >= centreX).OrderByDescending(e => e.Width).Cast<Rect?>().FirstOrDefault();
        if (left is null || right is null)
        {
            return new DetectedFace(box, null, null);
        }

        return new DetectedFace(box, Centre(left.Value, box), Centre(right.Value, box));
    }

    private static Point2d Centre(Rect eye, Rect face) =>
        new(face.X + eye.X + (eye.Width / 2.0), face.Y + eye.Y + (eye.Height / 2.0));

    private static CascadeClassifier Load(string path)
    {
        var cascade = new CascadeClassifier(path);
        if (cascade.Empty())
        {
            cascade.Dispose();
            throw new ArgumentException($"cascade '{path}' could not be loaded (not a cascade file?)", nameof(path));
        }

        return cascade;
    }
}
