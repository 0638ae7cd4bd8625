namespace Kiosk.TestSupport;

/// <summary>How one detector did on one frame of <see cref="FaceEvalSet"/>.</summary>
public readonly record struct FaceEvalScore(int Faces, int Found, int FalsePositives)
{
    /// <summary>Every face found and nothing else: the count a kiosk would report is right.</summary>
    public bool CountRight => Found == Faces && FalsePositives == 0;

    /// <summary>
    /// Matches detections to the truth. A detection finds a face when each box's centre lies inside the other and their
    /// widths are within a factor of two: loose on purpose, because detectors draw different boxes around the same face
    /// (a Haar box takes in more forehead than BlazeFace's). Each face is found at most once; a detection on a face cut
    /// by the frame edge (an ignore box) counts neither way; every other detection is a false positive.
    /// </summary>
    public static FaceEvalScore Of(FaceEvalImage image, IEnumerable<FaceEvalBox> detections)
    {
        ArgumentNullException.ThrowIfNull(image);
        var left = detections.ToList();
        var found = 0;
        foreach (var face in image.Faces)
        {
            var match = left.Where(d => SameFace(face, d)).OrderBy(d => Distance(face, d)).Cast<FaceEvalBox?>().FirstOrDefault();
            if (match is { } m)
            {
                left.Remove(m);
                found++;
            }
        }

        left.RemoveAll(d => image.Ignore.Any(i => i.Contains(d.CentreX, d.CentreY) || d.Contains(i.CentreX, i.CentreY)));
        return new FaceEvalScore(image.Faces.Count, found, left.Count);
    }

    private static bool SameFace(FaceEvalBox face, FaceEvalBox detection) =>
        face.Contains(detection.CentreX, detection.CentreY)
        && detection.Contains(face.CentreX, face.CentreY)
        && detection.Width >= face.Width / 2.0
        && detection.Width <= face.Width * 2.0;

    private static double Distance(FaceEvalBox a, FaceEvalBox b) => Math.Abs(a.CentreX - b.CentreX) + Math.Abs(a.CentreY - b.CentreY);
}
