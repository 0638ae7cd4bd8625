namespace Kiosk.Fleet.Running;

/// <summary>
/// How the run's minutes are shared between the scenarios it plays: steady 35 %, storm 20 %, outage 25 %, kill 20 %,
/// re-weighted over the ones chosen. A scenario lasts its share, or longer when what it measures takes longer (bounded by
/// <see cref="SettleBound"/>). The outage keeps the platform away 2 minutes when its share leaves at least a minute for
/// the drain after it, else half its share.
/// </summary>
internal sealed record FleetSchedule(TimeSpan Steady, TimeSpan Storm, TimeSpan Outage, TimeSpan OutageHold, TimeSpan Kill, TimeSpan SettleBound)
{
    public static FleetSchedule For(FleetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var s = options.Scenarios;
        double Weight(FleetScenario scenario, double weight) => s.HasFlag(scenario) ? weight : 0;
        var weights = new[] { Weight(FleetScenario.Steady, 0.35), Weight(FleetScenario.Storm, 0.2), Weight(FleetScenario.Outage, 0.25), Weight(FleetScenario.Kill, 0.2) };
        var total = TimeSpan.FromMinutes(options.Minutes);
        var sum = weights.Sum();
        TimeSpan Share(int i) => sum == 0 ? TimeSpan.Zero : total * (weights[i] / sum);
        var outage = Share(2);
        var hold = options.Outage ?? (outage >= TimeSpan.FromMinutes(3) ? TimeSpan.FromMinutes(2) : outage / 2);
        // A settle wait may outlast its share: a resend waits for the ack timeout, and a drain for the platform.
        var settleBound = TimeSpan.FromSeconds(Math.Max(120, (options.AckTimeout.TotalSeconds * 3) + 60));
        return new FleetSchedule(Share(0), Share(1), outage < hold ? hold : outage, hold, Share(3), settleBound);
    }
}
