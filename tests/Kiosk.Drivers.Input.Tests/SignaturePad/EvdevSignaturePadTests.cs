using Kiosk.Devices;
using Kiosk.Devices.SignaturePad;
using Microsoft.Extensions.Time.Testing;

namespace Kiosk.Drivers.Input.Tests.SignaturePad;

public sealed class EvdevSignaturePadTests
{
    private static readonly SignatureRequest Request = new() { Timeout = TimeSpan.FromSeconds(20) };
    private readonly EvdevSignaturePadOptions _options = new();
    private FakeTimeProvider _time = null!;

    [SetUp]
    public void CreateClock() => _time = new FakeTimeProvider();

    [Test]
    public async Task A_recorded_signature_becomes_a_time_ordered_pen_series_and_a_png()
    {
        var recording = new EvdevRecording().Signature(TimeSpan.FromMilliseconds(300), strokes: 3);
        await using var pad = await OpenAsync(recording.Items);

        var (result, finishedAt) = await CaptureAsync(pad);

        Assert.That(result.Code, Is.EqualTo(CompletionCode.Success), result.ToString());
        var signature = result.Value!;
        var samples = signature.Samples;
        Assert.That(samples, Has.Count.EqualTo(recording.Reports), "one sample per report from the first pen-down to leaving proximity");
        Assert.That(samples.Count(s => s.PenDown), Is.EqualTo(recording.PenDownReports));
        Assert.That(samples[0], Has.Property(nameof(PenSample.T)).Zero.And.Property(nameof(PenSample.PenDown)).True);
        for (var i = 1; i < samples.Count; i++)
        {
            Assert.That(samples[i].T, Is.GreaterThan(samples[i - 1].T), $"t of sample {i}");
        }

        // The last sample is the pen lifting off, 10 ms before the report of it leaving proximity.
        Assert.That(samples[^1].T, Is.EqualTo((long)(recording.End - TimeSpan.FromMilliseconds(310)).TotalMilliseconds), "t comes from the event timestamps");
        Assert.That(samples, Has.All.Matches<PenSample>(s => s.Pressure >= 0 && s.Pressure <= _options.MaxPressure && s.PenDown == s.Pressure > 0));
        Assert.That(Touches(samples), Is.EqualTo(3), "three strokes");
        Assert.That((signature.Width, signature.Height, signature.MaxPressure, signature.UnitsPerMillimetre), Is.EqualTo((10001, 6001, 1023, 100)));
        Assert.That(finishedAt, Is.EqualTo(recording.End + _options.PenUpIdleTime).Within(TimeSpan.FromMilliseconds(60)), "ends after the pen-up idle time");

        var rendering = signature.Rendering!;
        Assert.That(rendering.ContentType, Is.EqualTo("image/png"));
        var (width, height, pixels) = PngChecks.DecodeGrey(rendering.Data.ToArray());
        Assert.That((width, height), Is.EqualTo((800, 480)));
        Assert.That((rendering.Width, rendering.Height), Is.EqualTo((width, height)));
        Assert.That(pixels.Count(p => p == 0), Is.GreaterThan(500), "ink");
        Assert.That(pixels[0], Is.EqualTo(255), "paper");
    }

    [Test]
    public async Task Each_sample_is_reported_as_soon_as_it_is_settled_while_the_pen_writes()
    {
        var recording = new EvdevRecording()
            .Report(Ms(0), 100, 100, 300, touch: true)
            .Report(Ms(10), 110, 100, 320, touch: true)
            .Report(Ms(10.4), 115, 101, 330, touch: true) // the same millisecond: merged into the sample before
            .Report(Ms(20), 120, 102, 340, touch: true)
            .Report(Ms(20.6), 120, 102, 0, touch: false) // a lift in the same millisecond: kept 1 ms later
            .Report(Ms(30), 130, 100, 0, touch: false)
            .Report(Ms(40), 130, 100, 0, touch: false, proximity: false);
        await using var pad = await OpenAsync(recording.Items);
        var pen = new CountingReporter();
        using var claim = (await pad.ClaimAsync("test", TimeSpan.FromSeconds(1), CancellationToken.None)).Value!;
        var capture = pad.CaptureSignatureAsync(claim, Request with { Pen = pen }, CancellationToken.None);

        _time.Advance(Ms(25));
        await pen.WaitForAsync(3);

        Assert.That(capture.IsCompleted, Is.False, "the pen is still on its way");
        Assert.That(pen.Samples.Select(s => (s.X, s.T)), Is.EqualTo(new[] { (100, 0L), (115, 10L), (120, 20L) }), "the merged sample once, as merged; the lift waits until nothing can merge into it");
        for (var i = 0; i < 300 && !capture.IsCompleted; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(10));
        }

        var signature = (await capture).Value!;
        Assert.That(pen.Samples, Is.EqualTo(signature.Samples), "every sample of the capture, once, in order");
        Assert.That(signature.Samples.Select(s => (s.X, s.T, s.PenDown)), Is.EqualTo(new[] { (100, 0L, true), (115, 10L, true), (120, 20L, true), (120, 21L, false), (130, 30L, false) }));
        Assert.That(pen.Extents.Distinct(), Is.EqualTo(new[] { (10001, 6001, 1023) }));
    }

    [Test]
    public async Task Without_a_pen_reporter_the_capture_is_the_same()
    {
        var recording = new EvdevRecording().Signature(TimeSpan.FromMilliseconds(300), strokes: 3);
        var pen = new CountingReporter();
        await using var watched = await OpenAsync(recording.Items);
        var (withReporter, withReporterAt) = await CaptureAsync(watched, Request with { Pen = pen });
        await using var unwatched = await OpenAsync(recording.Items); // plays the same recording from now on
        var (without, withoutAt) = await CaptureAsync(unwatched, Request);

        Assert.That(pen.Samples, Has.Count.EqualTo(without.Value!.Samples.Count));
        Assert.That(withReporter.Value!.Samples, Is.EqualTo(without.Value.Samples));
        Assert.That(withReporter.Value.Rendering!.Data.ToArray(), Is.EqualTo(without.Value.Rendering!.Data.ToArray()));
        Assert.That(withReporterAt, Is.EqualTo(withoutAt), "it ends at the same time");
    }

    [Test]
    public async Task A_gap_in_the_event_times_ends_the_signature_and_the_next_one_starts_with_its_first_touch()
    {
        // Both signatures are already buffered: only the event timestamps can tell them apart.
        var recording = new EvdevRecording().Signature(TimeSpan.Zero, strokes: 2, seed: 1).Signature(TimeSpan.FromSeconds(10), strokes: 1, seed: 2);
        var items = recording.Items.Select(i => i with { Due = TimeSpan.Zero });
        await using var pad = await OpenAsync(items);

        var (first, _) = await CaptureAsync(pad);
        var (second, _) = await CaptureAsync(pad);

        Assert.That(Touches(first.Value!.Samples), Is.EqualTo(2));
        Assert.That(Touches(second.Value!.Samples), Is.EqualTo(1));
        Assert.That(second.Value!.Samples[0], Has.Property(nameof(PenSample.T)).Zero.And.Property(nameof(PenSample.PenDown)).True);
    }

    [Test]
    public async Task The_stream_ending_mid_signature_is_an_unplugged_pad()
    {
        var recording = new EvdevRecording().Report(TimeSpan.Zero, 100, 100, 300, touch: true).Report(TimeSpan.FromMilliseconds(10), 120, 110, 320, touch: true).EndOfStream(TimeSpan.FromMilliseconds(15));
        await using var pad = await OpenAsync(recording.Items);
        var changes = new List<DeviceStatus>();
        pad.StatusChanged += (_, e) => changes.Add(e.Current);

        var (result, _) = await CaptureAsync(pad);

        Assert.That(result.Code, Is.EqualTo(CompletionCode.DeviceNotReady), result.ToString());
        Assert.That(pad.Status, Is.EqualTo(DeviceStatus.NoDevice));
        Assert.That(changes, Is.EqualTo(new[] { DeviceStatus.NoDevice }));
        Assert.That((await pad.CheckHealthAsync(HealthCheckLevel.Internal, CancellationToken.None)).Healthy, Is.False);
    }

    [Test]
    public async Task A_read_failing_with_enodev_is_an_unplugged_pad()
    {
        var recording = new EvdevRecording().Report(TimeSpan.Zero, 100, 100, 300, touch: true).Fail(TimeSpan.FromMilliseconds(5), new IOException("No such device", 19));
        await using var pad = await OpenAsync(recording.Items);

        var (result, _) = await CaptureAsync(pad);

        Assert.That(result.Code, Is.EqualTo(CompletionCode.DeviceNotReady), result.ToString());
        Assert.That(pad.Status, Is.EqualTo(DeviceStatus.NoDevice));
    }

    [Test]
    public async Task A_record_cut_short_at_the_end_of_the_stream_is_invalid_data()
    {
        var recording = new EvdevRecording().Report(TimeSpan.Zero, 100, 100, 300, touch: true)
            .Raw(TimeSpan.FromMilliseconds(10), EvdevRecording.Record(TimeSpan.FromMilliseconds(10), EvdevRecording.EvAbs, EvdevRecording.AbsX, 130)[..17])
            .EndOfStream(TimeSpan.FromMilliseconds(10));
        await using var pad = await OpenAsync(recording.Items);

        var (result, _) = await CaptureAsync(pad);

        Assert.That(result.Code, Is.EqualTo(CompletionCode.InvalidData), result.ToString());
        Assert.That(result.DeviceError, Is.EqualTo("truncated"));
    }

    private static IEnumerable<TestCaseData> ImpossibleEvents()
    {
        var at = TimeSpan.FromMilliseconds(10);
        yield return new TestCaseData(EvdevRecording.Record(at, EvdevRecording.EvAbs, EvdevRecording.AbsX, 10_001)).SetName("X beyond its maximum");
        yield return new TestCaseData(EvdevRecording.Record(at, EvdevRecording.EvAbs, EvdevRecording.AbsPressure, -1)).SetName("negative pressure");
        yield return new TestCaseData(EvdevRecording.Record(at, EvdevRecording.EvKey, EvdevRecording.BtnTouch, 7)).SetName("touch key value 7");
        yield return new TestCaseData(EvdevRecording.Record(TimeSpan.FromMilliseconds(-5), EvdevRecording.EvSyn, EvdevRecording.SynReport, 0)).SetName("time going backwards");
        var badMicroseconds = EvdevRecording.Record(at, EvdevRecording.EvSyn, EvdevRecording.SynReport, 0);
        BitConverter.TryWriteBytes(badMicroseconds.AsSpan(8), 1_000_000L);
        yield return new TestCaseData(badMicroseconds).SetName("a million microseconds");
    }

    [TestCaseSource(nameof(ImpossibleEvents))]
    public async Task An_impossible_event_is_invalid_data(byte[] record)
    {
        var recording = new EvdevRecording().Report(TimeSpan.Zero, 100, 100, 300, touch: true).Raw(TimeSpan.FromMilliseconds(10), record);
        await using var pad = await OpenAsync(recording.Items);

        var (result, _) = await CaptureAsync(pad);

        Assert.That(result.Code, Is.EqualTo(CompletionCode.InvalidData), result.ToString());
    }

    [Test]
    public async Task Events_after_syn_dropped_are_discarded_up_to_the_next_report()
    {
        var recording = new EvdevRecording()
            .Report(TimeSpan.Zero, 100, 100, 300, touch: true)
            .Raw(TimeSpan.FromMilliseconds(5), [.. EvdevRecording.Record(TimeSpan.FromMilliseconds(5), EvdevRecording.EvSyn, EvdevRecording.SynDropped, 0),
                .. EvdevRecording.Record(TimeSpan.FromMilliseconds(5), EvdevRecording.EvAbs, EvdevRecording.AbsX, 9000),
                .. EvdevRecording.Record(TimeSpan.FromMilliseconds(5), EvdevRecording.EvSyn, EvdevRecording.SynReport, 0)])
            .Report(TimeSpan.FromMilliseconds(10), 110, 100, 300, touch: true)
            .Report(TimeSpan.FromMilliseconds(20), 110, 100, 0, touch: false, proximity: false);
        await using var pad = await OpenAsync(recording.Items);

        var (result, _) = await CaptureAsync(pad);

        Assert.That(result.Value!.Samples.Select(s => s.X), Is.EqualTo(new[] { 100, 110, 110 }));
    }

    [Test]
    public async Task A_pen_that_only_hovers_until_the_timeout_is_no_media()
    {
        var recording = new EvdevRecording();
        for (var i = 0; i < 100; i++)
        {
            recording.Report(TimeSpan.FromMilliseconds(10 * i), 500 + i, 500, 0, touch: false);
        }

        await using var pad = await OpenAsync(recording.Items);

        var (result, finishedAt) = await CaptureAsync(pad);

        Assert.That(result.Code, Is.EqualTo(CompletionCode.NoMedia), result.ToString());
        Assert.That(finishedAt, Is.EqualTo(Request.Timeout).Within(TimeSpan.FromMilliseconds(60)));
    }

    [Test]
    public async Task A_pad_nobody_touches_is_no_media_at_the_timeout()
    {
        await using var pad = await OpenAsync([]);

        var (result, _) = await CaptureAsync(pad);

        Assert.That(result.Code, Is.EqualTo(CompletionCode.NoMedia), result.ToString());
    }

    [Test]
    public async Task A_pen_held_down_past_the_timeout_times_out()
    {
        await using var pad = await OpenAsync(new EvdevRecording().Report(TimeSpan.Zero, 100, 100, 300, touch: true).Items);

        var (result, _) = await CaptureAsync(pad);

        Assert.That(result.Code, Is.EqualTo(CompletionCode.Timeout), result.ToString());
    }

    [Test]
    public async Task Without_a_fingerprint_reader_a_fingerprint_is_unsupported()
    {
        await using var pad = await OpenAsync([]);
        using var claim = (await pad.ClaimAsync("test", TimeSpan.FromSeconds(1), CancellationToken.None)).Value!;

        var result = await pad.CaptureFingerprintAsync(claim, new FingerprintRequest(), CancellationToken.None);

        Assert.That(result.Code, Is.EqualTo(CompletionCode.Unsupported), result.ToString());
        Assert.That(pad.Capabilities.Has("fingerprint"), Is.False);
    }

    [Test]
    public void Bad_options_are_refused_with_every_problem_named()
    {
        var options = new EvdevSignaturePadOptions { MaxX = 0, PenUpIdleTime = TimeSpan.Zero, DevicePath = "" };
        using var stream = new MemoryStream();

        var error = Assert.Throws<ArgumentException>(() => _ = new EvdevSignaturePad("pad", stream, options, _time, shouldDispose: false));

        Assert.That(error!.Message, Does.Contain("MaxX").And.Contain("PenUpIdleTime").And.Contain("DevicePath"));
    }

    private static int Touches(IReadOnlyList<PenSample> samples) =>
        samples.Where((s, i) => s.PenDown && (i == 0 || !samples[i - 1].PenDown)).Count();

    private async Task<EvdevSignaturePad> OpenAsync(IEnumerable<FeedItem> items)
    {
        var pad = new EvdevSignaturePad("signaturePad", new RecordedEventStream(_time, items), _options, _time);
        Assert.That((await pad.OpenAsync(CancellationToken.None)).IsSuccess, Is.True);
        return pad;
    }

    private static TimeSpan Ms(double milliseconds) => TimeSpan.FromMilliseconds(milliseconds);

    /// <summary>Captures once, advancing the fake clock in 10 ms steps; returns the result and the simulated time it took.</summary>
    private async Task<(DeviceResult<SignatureCapture> Result, TimeSpan FinishedAt)> CaptureAsync(EvdevSignaturePad pad, SignatureRequest? request = null)
    {
        var started = _time.GetUtcNow();
        using var claim = (await pad.ClaimAsync("test", TimeSpan.FromSeconds(1), CancellationToken.None)).Value!;
        var capture = pad.CaptureSignatureAsync(claim, request ?? Request, CancellationToken.None);
        for (var i = 0; i < 3000 && !capture.IsCompleted; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(10));
        }

        Assert.That(capture.IsCompleted, Is.True, "no result within 30 s of simulated time");
        return (await capture, _time.GetUtcNow() - started);
    }

    /// <summary>Keeps the reported samples; a test can wait (bounded, on real time) until some have come.</summary>
    private sealed class CountingReporter : IProgress<PenProgress>
    {
        private readonly Lock _lock = new();
        private readonly List<PenProgress> _reported = [];
        private readonly List<(int Count, TaskCompletionSource Reached)> _waiters = [];

        public IReadOnlyList<PenSample> Samples
        {
            get
            {
                lock (_lock)
                {
                    return [.. _reported.Select(p => p.Sample)];
                }
            }
        }

        public IReadOnlyList<(int Width, int Height, int MaxPressure)> Extents
        {
            get
            {
                lock (_lock)
                {
                    return [.. _reported.Select(p => (p.Width, p.Height, p.MaxPressure))];
                }
            }
        }

        public void Report(PenProgress value)
        {
            lock (_lock)
            {
                _reported.Add(value);
                foreach (var (count, reached) in _waiters.Where(w => _reported.Count >= w.Count))
                {
                    reached.TrySetResult();
                }
            }
        }

        public Task WaitForAsync(int count)
        {
            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_lock)
            {
                if (_reported.Count >= count)
                {
                    return Task.CompletedTask;
                }

                _waiters.Add((count, reached));
            }

            return reached.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }
}
