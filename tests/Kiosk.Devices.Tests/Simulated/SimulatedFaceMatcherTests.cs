using Kiosk.Devices.Simulated;
using NUnit.Framework;

namespace Kiosk.Devices.Tests.Simulated;

[TestFixture]
public sealed class SimulatedFaceMatcherTests
{
    private static readonly CapturedImage Image = new(new byte[] { 1 }, "image/png", 1, 1);

    [Test]
    public async Task The_same_source_matches_and_another_does_not()
    {
        var matcher = new SimulatedFaceMatcher(Simulation.Options());
        var same = await matcher.MatchAsync(Probe("astronaut"), ReadOnlyMemory<byte>.Empty, "astronaut", CancellationToken.None);
        var other = await matcher.MatchAsync(Probe("camera"), ReadOnlyMemory<byte>.Empty, "astronaut", CancellationToken.None);
        var unknown = await matcher.MatchAsync(Probe(null), ReadOnlyMemory<byte>.Empty, null, CancellationToken.None);

        Assert.That(same.Score, Is.InRange(0.85, 0.97));
        Assert.That(same.IsMatch, Is.True);
        Assert.That(other.Score, Is.InRange(0.05, 0.3));
        Assert.That(other.IsMatch, Is.False);
        Assert.That(unknown.IsMatch, Is.False);
        Assert.That((same.Threshold, same.Method), Is.EqualTo((0.6, "simulated-source-id")));
    }

    [Test]
    public async Task Scores_are_drawn_from_the_seed()
    {
        var a = await new SimulatedFaceMatcher(Simulation.Options(1)).MatchAsync(Probe("astronaut"), default, "astronaut", CancellationToken.None);
        var b = await new SimulatedFaceMatcher(Simulation.Options(1)).MatchAsync(Probe("astronaut"), default, "astronaut", CancellationToken.None);
        var c = await new SimulatedFaceMatcher(Simulation.Options(2)).MatchAsync(Probe("astronaut"), default, "astronaut", CancellationToken.None);
        Assert.That(a.Score, Is.EqualTo(b.Score));
        Assert.That(a.Score, Is.Not.EqualTo(c.Score));
    }

    private static FaceCapture Probe(string? sourceId) =>
        new(Image, new FaceQuality { FaceCount = 1, Score = 80 }) { SourceId = sourceId };
}
