using Kiosk.Devices.FaceCamera;

namespace Kiosk.Drivers.FaceCamera.Tests;

/// <summary>BlazeFace decoding on hand-made model outputs: anchors, sigmoid scores, weighted non-maximum suppression. No model needed.</summary>
public sealed class BlazeFaceDecoderTests
{
    private const int Input = 128;

    [Test]
    public void An_anchor_of_the_fine_grid_decodes_to_its_cell_centre_plus_the_offsets()
    {
        // Cell (x 3, y 5) of the 16x16 grid, its second anchor: index (5 * 16 + 3) * 2 + 1.
        var (scores, boxes) = Grid(16, 2);
        Set(scores, boxes, ((5 * 16) + 3) * 2 + 1, logit: 5, dx: 4, dy: -2, w: 20, h: 22, eyeDx: -5);

        var faces = Decode(16, 2, scores, boxes, minScore: 0.5f);

        var face = faces.Single();
        Assert.Multiple(() =>
        {
            Assert.That(face.CentreX, Is.EqualTo((3.5 / 16) + (4.0 / Input)).Within(1e-6));
            Assert.That(face.CentreY, Is.EqualTo((5.5 / 16) - (2.0 / Input)).Within(1e-6));
            Assert.That(face.Width, Is.EqualTo(20.0 / Input).Within(1e-6));
            Assert.That(face.Height, Is.EqualTo(22.0 / Input).Within(1e-6));
            Assert.That(face.Score, Is.EqualTo(1 / (1 + Math.Exp(-5))).Within(1e-6));
            Assert.That(face.Points[0], Is.EqualTo((3.5 / 16) - (5.0 / Input)).Within(1e-6), "first key point x: the anchor plus its own offset");
        });
    }

    [Test]
    public void An_anchor_of_the_coarse_grid_uses_six_anchors_per_cell()
    {
        // Cell (x 7, y 0) of the 8x8 grid, its sixth anchor.
        var (scores, boxes) = Grid(8, 6);
        Set(scores, boxes, ((0 * 8) + 7) * 6 + 5, logit: 3, dx: 0, dy: 0, w: 60, h: 60);

        var face = Decode(8, 6, scores, boxes, minScore: 0.5f).Single();

        Assert.That((face.CentreX, face.CentreY), Is.EqualTo((7.5f / 8, 0.5f / 8)));
    }

    [Test]
    public void Scores_below_the_minimum_are_dropped_and_huge_logits_do_not_overflow()
    {
        var (scores, boxes) = Grid(16, 2);
        Set(scores, boxes, 10, logit: -0.1f, dx: 0, dy: 0, w: 10, h: 10);
        Set(scores, boxes, 100, logit: 1e6f, dx: 0, dy: 0, w: 10, h: 10);

        var faces = Decode(16, 2, scores, boxes, minScore: 0.5f);

        Assert.That(faces.Single().Score, Is.EqualTo(1f));
    }

    [Test]
    public void Overlapping_candidates_merge_into_their_score_weighted_mean_and_keep_the_best_score()
    {
        var a = new BlazeFaceCandidate(0.50f, 0.50f, 0.20f, 0.20f, 0.9f, new float[12]);
        var b = new BlazeFaceCandidate(0.52f, 0.50f, 0.20f, 0.20f, 0.6f, Enumerable.Repeat(1f, 12).ToArray());
        var far = new BlazeFaceCandidate(0.10f, 0.10f, 0.10f, 0.10f, 0.7f, new float[12]);

        var merged = BlazeFaceDecoder.Merge([b, far, a]);

        Assert.That(merged, Has.Count.EqualTo(2));
        var face = merged[0];
        Assert.Multiple(() =>
        {
            Assert.That(face.Score, Is.EqualTo(0.9f));
            Assert.That(face.CentreX, Is.EqualTo(((0.50 * 0.9) + (0.52 * 0.6)) / 1.5).Within(1e-6));
            Assert.That(face.Points[0], Is.EqualTo(0.6 / 1.5).Within(1e-6));
            Assert.That(merged[1], Is.EqualTo(far), "a face elsewhere is a face of its own");
        });
    }

    [Test]
    public void Candidates_overlapping_less_than_the_merge_threshold_stay_apart()
    {
        // Two boxes side by side sharing a quarter of their width: IoU 1/7, below 0.3 (two people close together).
        var left = new BlazeFaceCandidate(0.40f, 0.5f, 0.2f, 0.2f, 0.9f, new float[12]);
        var right = new BlazeFaceCandidate(0.55f, 0.5f, 0.2f, 0.2f, 0.8f, new float[12]);

        Assert.That(BlazeFaceDecoder.Iou(left, right), Is.EqualTo(1.0 / 7).Within(1e-6));
        Assert.That(BlazeFaceDecoder.Merge([left, right]), Has.Count.EqualTo(2));
    }

    [Test]
    public void Outputs_of_the_wrong_size_are_refused()
    {
        var candidates = new List<BlazeFaceCandidate>();
        Assert.Throws<ArgumentException>(() => BlazeFaceDecoder.DecodeGrid(16, 2, new float[511], new float[512 * 16], Input, 0.5f, candidates));
    }

    [Test]
    public void The_two_grids_hold_the_896_anchors_of_BlazeFace()
    {
        Assert.That(BlazeFaceDecoder.AnchorCount, Is.EqualTo(896));
    }

    private static (float[] Scores, float[] Boxes) Grid(int cells, int perCell)
    {
        var anchors = cells * cells * perCell;
        return (Enumerable.Repeat(-10f, anchors).ToArray(), new float[anchors * BlazeFaceDecoder.Regressors]);
    }

    private static void Set(float[] scores, float[] boxes, int index, float logit, float dx, float dy, float w, float h, float eyeDx = 0)
    {
        scores[index] = logit;
        var r = index * BlazeFaceDecoder.Regressors;
        boxes[r] = dx;
        boxes[r + 1] = dy;
        boxes[r + 2] = w;
        boxes[r + 3] = h;
        boxes[r + 4] = eyeDx;
    }

    private static List<BlazeFaceCandidate> Decode(int cells, int perCell, float[] scores, float[] boxes, float minScore)
    {
        var candidates = new List<BlazeFaceCandidate>();
        BlazeFaceDecoder.DecodeGrid(cells, perCell, scores, boxes, Input, minScore, candidates);
        return BlazeFaceDecoder.Merge(candidates);
    }
}
