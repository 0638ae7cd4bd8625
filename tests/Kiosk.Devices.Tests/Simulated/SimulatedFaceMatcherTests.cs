using Kiosk.Devices.Simulated;
using NUnit.Framework;

namespace Kiosk.Devices.Tests.Simulated;

[TestFixture]
public sealed class SimulatedFaceMatcherTests
{
    private static readonly byte[] Astronaut = [1, 2, 3, 4];
    private static readonly byte[] Cameraman = [5, 6, 7, 8];

    [Test]
    public async Task The_same_photograph_matches_and_another_does_not()
    {
        var matcher = new SimulatedFaceMatcher(Simulation.Options());
        var same = await matcher.MatchAsync(Probe(Astronaut), Astronaut, CancellationToken.None);
        var other = await matcher.MatchAsync(Probe(Cameraman), Astronaut, CancellationToken.None);
        var unenrolled = await matcher.MatchAsync(Probe(Astronaut), ReadOnlyMemory<byte>.Empty, CancellationToken.None);

        Assert.That(same.Score, Is.InRange(0.85, 0.97));
        Assert.That(same.IsMatch, Is.True);
        Assert.That(other.Score, Is.InRange(0.05, 0.3));
        Assert.That(other.IsMatch, Is.False);
        Assert.That(unenrolled.IsMatch, Is.False, "no enrolled photograph never matches");
        Assert.That((same.Threshold, same.Method), Is.EqualTo((0.6, "simulated-same-photograph")));
    }

    [Test]
    public async Task Scores_are_drawn_from_the_seed()
    {
        var a = await new SimulatedFaceMatcher(Simulation.Options(1)).MatchAsync(Probe(Astronaut), Astronaut, CancellationToken.None);
        var b = await new SimulatedFaceMatcher(Simulation.Options(1)).MatchAsync(Probe(Astronaut), Astronaut, CancellationToken.None);
        var c = await new SimulatedFaceMatcher(Simulation.Options(2)).MatchAsync(Probe(Astronaut), Astronaut, CancellationToken.None);
        Assert.That(a.Score, Is.EqualTo(b.Score));
        Assert.That(a.Score, Is.Not.EqualTo(c.Score));
    }

    private static FaceCapture Probe(byte[] image) =>
        new(new CapturedImage(image, "image/png", 1, 1), new FaceQuality { FaceCount = 1, Score = 80 });
}
