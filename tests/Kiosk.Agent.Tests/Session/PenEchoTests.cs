using Kiosk.Agent.Session;
using Kiosk.Devices;
using Microsoft.Extensions.Time.Testing;

namespace Kiosk.Agent.Tests.Session;

/// <summary>How the pen's samples are gathered into the screen's <c>pen</c> activities.</summary>
public sealed class PenEchoTests
{
    private FakeTimeProvider _time = null!;
    private List<SessionActivity> _sent = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider();
        _sent = [];
    }

    [Test]
    public void A_pen_sampled_at_200_hz_goes_out_in_at_most_20_batches_a_second_in_order()
    {
        var echo = new PenEcho(_time, _sent.Add);
        var samples = Enumerable.Range(0, 400).Select(i => new PenSample(i, 2 * i, i * 5, 500, PenDown: true)).ToList();
        foreach (var sample in samples)
        {
            _time.Advance(TimeSpan.FromMilliseconds(5));
            echo.Report(new PenProgress(sample, 9600, 6000) { MaxPressure = 1023 });
        }

        echo.Flush();

        Assert.That(_sent, Has.Count.InRange(39, 41), "two seconds of writing, 20 batches a second");
        Assert.That(Points(_sent), Is.EqualTo(samples.Select(s => new[] { s.X, s.Y, s.Pressure, 1 })));
        Assert.That(_sent.Select(a => a.Data["width"]!.GetValue<int>()), Has.All.EqualTo(9600));
        Assert.That(_sent.Select(a => a.Data["maxPressure"]!.GetValue<int>()), Has.All.EqualTo(1023));
    }

    [Test]
    public void A_pen_lift_sends_the_stroke_at_once_and_flush_sends_the_rest()
    {
        var echo = new PenEcho(_time, _sent.Add);
        echo.Report(new PenProgress(new PenSample(1, 1, 0, 300, true), 100, 100));
        echo.Report(new PenProgress(new PenSample(2, 2, 1, 300, true), 100, 100));
        Assert.That(_sent, Is.Empty, "no time has passed: the samples wait for more");

        echo.Report(new PenProgress(new PenSample(3, 3, 2, 0, false), 100, 100));
        Assert.That(_sent, Has.Count.EqualTo(1), "the lift ends the stroke on the screen without waiting");

        echo.Report(new PenProgress(new PenSample(4, 4, 3, 0, false), 100, 100));
        echo.Flush();
        echo.Flush();
        Assert.That(_sent, Has.Count.EqualTo(2), "the hover sample at the end, once");
        Assert.That(Points(_sent), Is.EqualTo(new[] { new[] { 1, 1, 300, 1 }, [2, 2, 300, 1], [3, 3, 0, 0], [4, 4, 0, 0] }));
    }

    [Test]
    public void Nothing_reported_sends_nothing() => Assert.DoesNotThrow(() => new PenEcho(_time, _ => Assert.Fail("sent")).Flush());

    private static List<int[]> Points(List<SessionActivity> batches) =>
        [.. batches.SelectMany(b => b.Data["points"]!.AsArray().Select(p => p!.AsArray().Select(v => v!.GetValue<int>()).ToArray()))];
}
