using Kiosk.Fleet.Measuring;

namespace Kiosk.Fleet.Running;

/// <summary>The scenarios: each disturbs the fleet, then measures how long until everything committed before is acknowledged.</summary>
internal sealed partial class FleetRun
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The broker is SIGKILLed and started again on the same port at once. Returns the seconds from its restart until every
    /// kiosk is connected again and every record committed before the restart is acknowledged; null when that did not
    /// happen within the settle bound.
    /// </summary>
    private async Task<double?> StormAsync(FleetSchedule schedule, CancellationToken ct)
    {
        _phase = "storm";
        var started = _time.GetTimestamp();
        await _broker!.KillAsync().ConfigureAwait(false);
        await _broker.StartAsync(ct).ConfigureAwait(false);
        var restarted = _time.GetTimestamp();
        _progress.WriteLine($"fleet: storm: broker killed and restarted on port {_broker.Port}");
        var settled = await WaitAsync(() => _fleet!.SettledSince(restarted), schedule.SettleBound, ct).ConfigureAwait(false);
        var seconds = settled ? _time.GetElapsedTime(restarted).TotalSeconds : (double?)null;
        _progress.WriteLine(settled ? $"fleet: storm settled in {seconds:0.0} s" : $"fleet: storm did not settle within {schedule.SettleBound.TotalSeconds:0} s");
        await HoldAsync(schedule.Storm - _time.GetElapsedTime(started), ct).ConfigureAwait(false);
        return seconds;
    }

    /// <summary>
    /// Every platform instance is stopped for the outage while the kiosks go on committing, then started again. Returns the
    /// backlog the agents held when the platform came back, and the seconds until every record committed before that was
    /// acknowledged (null when not within the settle bound).
    /// </summary>
    private async Task<(double? Backlog, double? DrainSeconds)> OutageAsync(FleetSchedule schedule, CancellationToken ct)
    {
        _phase = "outage";
        var started = _time.GetTimestamp();
        await _platform!.StopAsync(ct).ConfigureAwait(false);
        _progress.WriteLine($"fleet: outage: platform stopped for {schedule.OutageHold.TotalSeconds:0} s");
        await HoldAsync(schedule.OutageHold, ct).ConfigureAwait(false);
        await _platform.StartAsync(ct).ConfigureAwait(false);
        var restarted = _time.GetTimestamp();
        var backlog = _fleet!.Backlog;
        _progress.WriteLine($"fleet: outage over: platform back with a backlog of {backlog} records");
        var settled = await WaitAsync(() => _fleet.SettledSince(restarted), schedule.SettleBound, ct).ConfigureAwait(false);
        var seconds = settled ? _time.GetElapsedTime(restarted).TotalSeconds : (double?)null;
        _progress.WriteLine(settled ? $"fleet: outage backlog drained in {seconds:0.0} s" : $"fleet: outage backlog not drained within {schedule.SettleBound.TotalSeconds:0} s");
        await HoldAsync(schedule.Outage - _time.GetElapsedTime(started), ct).ConfigureAwait(false);
        return (backlog, seconds);
    }

    /// <summary>
    /// One platform instance is SIGKILLed and not restarted. Returns the seconds until every record committed before the
    /// kill is acknowledged (what it held in flight comes back through the kiosks' ack timeout), null when not in bound.
    /// </summary>
    private async Task<double?> KillAsync(FleetSchedule schedule, CancellationToken ct)
    {
        _phase = "kill";
        var started = _time.GetTimestamp();
        await _platform!.KillOneAsync(ct).ConfigureAwait(false);
        var killed = _time.GetTimestamp();
        _progress.WriteLine("fleet: kill: one platform instance killed, not restarted");
        var settled = await WaitAsync(() => _fleet!.SettledSince(killed), schedule.SettleBound, ct).ConfigureAwait(false);
        var seconds = settled ? _time.GetElapsedTime(killed).TotalSeconds : (double?)null;
        _progress.WriteLine(settled ? $"fleet: kill recovered in {seconds:0.0} s" : $"fleet: kill not recovered within {schedule.SettleBound.TotalSeconds:0} s");
        await HoldAsync(schedule.Kill - _time.GetElapsedTime(started), ct).ConfigureAwait(false);
        return seconds;
    }

    /// <summary>Lets the fleet run for <paramref name="duration"/> (nothing when it is not positive).</summary>
    private Task HoldAsync(TimeSpan duration, CancellationToken ct) =>
        duration > TimeSpan.Zero ? Task.Delay(duration, _time, ct) : Task.CompletedTask;

    /// <summary>Polls <paramref name="condition"/> until it holds (true) or <paramref name="bound"/> passes (false).</summary>
    private async Task<bool> WaitAsync(Func<bool> condition, TimeSpan bound, CancellationToken ct)
    {
        var started = _time.GetTimestamp();
        while (!condition())
        {
            if (_time.GetElapsedTime(started) > bound)
            {
                return false;
            }

            await Task.Delay(Poll, _time, ct).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>One line on stderr every few seconds: where the run is and what the fleet has done.</summary>
    private async Task ProgressLoopAsync(CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(_options.ProgressEvery, _time, ct).ConfigureAwait(false);
                var rss = ProcessCpu.ResidentKib();
                if (rss > Interlocked.Read(ref _peakRssKib))
                {
                    Interlocked.Exchange(ref _peakRssKib, rss);
                }

                if (_fleet is { } fleet)
                {
                    var elapsed = _time.GetElapsedTime(_startedAt).TotalSeconds;
                    _progress.WriteLine($"fleet: t={elapsed:0}s phase={_phase} connected={fleet.Connected}/{fleet.Count} committed={fleet.Committed} acknowledged={fleet.Acknowledged} backlog={fleet.Backlog} resent={fleet.Resent} rss={rss / 1024}MiB broker_cpu={_broker?.CpuSeconds:0.0}s platform: {_platform?.Progress}");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The run is counting: no more progress lines.
        }
    }
}
