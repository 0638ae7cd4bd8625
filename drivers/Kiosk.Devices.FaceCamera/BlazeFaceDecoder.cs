namespace Kiosk.Devices.FaceCamera;

/// <summary>
/// Turns BlazeFace's raw outputs into faces, as MediaPipe's face detection graph does
/// (mediapipe/modules/face_detection: SsdAnchorsCalculator, TensorsToDetectionsCalculator, weighted NonMaxSuppression).
/// <para>
/// Anchors: 896 in two grids, 16x16 cells with 2 anchors each and 8x8 cells with 6 each (strides 8 and 16 of the
/// 128x128 front model; 16 and 32 of the 256x256 back model: the same grid in normalised coordinates). Anchor centres
/// are at the cell centres ((x + 0.5) / cells), and anchor size is fixed at 1, so the regressors are offsets and sizes
/// in input pixels. Each anchor has one score logit and 16 regressors: box centre dx, dy, width, height, then six
/// key points (x, y): the eyes, nose tip, mouth centre and the two ear tragions.
/// </para>
/// <para>
/// Score = sigmoid(logit clipped to +-100). Candidates at or above the minimum score are merged by weighted
/// non-maximum suppression (IoU >= 0.3): every candidate overlapping the best remaining one is removed and the
/// box and key points become their score-weighted mean; the merged face keeps the best score.
/// </para>
/// </summary>
internal static class BlazeFaceDecoder
{
    public const int Regressors = 16;
    public const int KeyPoints = 6;
    public const double MergeIou = 0.3;
    private const float ScoreClip = 100;

    /// <summary>The two anchor grids: cells per side and anchors per cell, in output order.</summary>
    public static IReadOnlyList<(int Cells, int PerCell)> Grids { get; } = [(16, 2), (8, 6)];

    public static int AnchorCount => Grids.Sum(g => g.Cells * g.Cells * g.PerCell);

    /// <summary>
    /// Decodes one grid's outputs into <paramref name="candidates"/>, in coordinates normalised to the (square) model input.
    /// </summary>
    /// <param name="scores">One logit per anchor of the grid.</param>
    /// <param name="boxes"><see cref="Regressors"/> values per anchor of the grid.</param>
    public static void DecodeGrid(int cells, int perCell, ReadOnlySpan<float> scores, ReadOnlySpan<float> boxes, int inputSize, float minScore, List<BlazeFaceCandidate> candidates)
    {
        var anchors = cells * cells * perCell;
        if (scores.Length < anchors || boxes.Length < anchors * Regressors)
        {
            throw new ArgumentException($"a {cells}x{cells}x{perCell} grid needs {anchors} scores and {anchors * Regressors} regressors, got {scores.Length} and {boxes.Length}");
        }

        var scale = 1f / inputSize;
        for (var i = 0; i < anchors; i++)
        {
            var score = Sigmoid(Math.Clamp(scores[i], -ScoreClip, ScoreClip));
            if (score < minScore)
            {
                continue;
            }

            var cell = i / perCell;
            var anchorX = ((cell % cells) + 0.5f) / cells;
            var anchorY = ((cell / cells) + 0.5f) / cells;
            var r = boxes.Slice(i * Regressors, Regressors);
            var points = new float[KeyPoints * 2];
            for (var k = 0; k < KeyPoints; k++)
            {
                points[2 * k] = anchorX + (r[4 + (2 * k)] * scale);
                points[(2 * k) + 1] = anchorY + (r[5 + (2 * k)] * scale);
            }

            candidates.Add(new BlazeFaceCandidate(anchorX + (r[0] * scale), anchorY + (r[1] * scale), r[2] * scale, r[3] * scale, score, points));
        }
    }

    /// <summary>Weighted non-maximum suppression, best score first.</summary>
    public static List<BlazeFaceCandidate> Merge(List<BlazeFaceCandidate> candidates)
    {
        var remaining = candidates.OrderByDescending(c => c.Score).ToList();
        var merged = new List<BlazeFaceCandidate>();
        while (remaining.Count > 0)
        {
            var best = remaining[0];
            var group = remaining.Where(c => Iou(best, c) >= MergeIou).ToList();
            remaining.RemoveAll(group.Contains);
            merged.Add(group.Count == 1 ? best : WeightedMean(group, best.Score));
        }

        return merged;
    }

    public static double Iou(BlazeFaceCandidate a, BlazeFaceCandidate b)
    {
        var w = Math.Min(a.Right, b.Right) - Math.Max(a.Left, b.Left);
        var h = Math.Min(a.Bottom, b.Bottom) - Math.Max(a.Top, b.Top);
        if (w <= 0 || h <= 0)
        {
            return 0;
        }

        var inner = (double)w * h;
        return inner / ((a.Width * a.Height) + (b.Width * b.Height) - inner);
    }

    private static BlazeFaceCandidate WeightedMean(List<BlazeFaceCandidate> group, float score)
    {
        double total = 0, cx = 0, cy = 0, w = 0, h = 0;
        var points = new double[KeyPoints * 2];
        foreach (var c in group)
        {
            total += c.Score;
            cx += c.CentreX * c.Score;
            cy += c.CentreY * c.Score;
            w += c.Width * c.Score;
            h += c.Height * c.Score;
            for (var k = 0; k < points.Length; k++)
            {
                points[k] += c.Points[k] * c.Score;
            }
        }

        return new BlazeFaceCandidate((float)(cx / total), (float)(cy / total), (float)(w / total), (float)(h / total), score, [.. points.Select(p => (float)(p / total))]);
    }

    private static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));
}

/// <summary>One face candidate in coordinates normalised to the model input; <see cref="Points"/> holds six (x, y) key points.</summary>
internal sealed record BlazeFaceCandidate(float CentreX, float CentreY, float Width, float Height, float Score, float[] Points)
{
    public float Left => CentreX - (Width / 2);

    public float Right => CentreX + (Width / 2);

    public float Top => CentreY - (Height / 2);

    public float Bottom => CentreY + (Height / 2);
}
