using System.Text.Json.Nodes;
using Kiosk.Fleet.Running;
using Kiosk.TestSupport;

namespace Kiosk.Fleet.Tests.Running;

/// <summary>
/// A 50-kiosk fleet through every scenario, shortened: the real sync stacks against a real Mosquitto and two platform
/// processes sharing one PostgreSQL store, counted from the outbox files and the platform's store.
/// </summary>
public sealed class FleetRunTests
{
    [Test]
    [CancelAfter(180_000)]
    public async Task Fifty_kiosks_through_every_scenario_lose_nothing_store_nothing_twice_and_all_reconnect(CancellationToken ct)
    {
        if (!File.Exists("/usr/sbin/mosquitto"))
        {
            Assert.Ignore("Mosquitto is not installed (apt-get install -y mosquitto; ./kiosk.sh test does)");
        }

        if (Kiosk.Central.Storage.LocalPostgres.FindServer() is null)
        {
            Assert.Ignore("PostgreSQL's server is not installed (apt-get install -y postgresql; ./kiosk.sh test does): the platform instances share it");
        }

        using var folder = new TempFolder("fleet-run");
        var options = new FleetOptions
        {
            Kiosks = 50,
            Minutes = 0.35,
            Scenarios = FleetScenario.All,
            CommitInterval = TimeSpan.FromSeconds(2),
            AttachmentBytes = 16 * 1024,
            Instances = 2,
            // Scaled down with the run: a resend after 5 s, reconnects within a second.
            AckTimeout = TimeSpan.FromSeconds(5),
            ReconnectBaseDelay = TimeSpan.FromMilliseconds(200),
            ReconnectMaxDelay = TimeSpan.FromSeconds(1),
            DrainBound = TimeSpan.FromSeconds(60),
            Folder = folder.Path,
            Seed = 7,
        };
        using var progress = new StringWriter();
        FleetReport report;
        await using (var run = new FleetRun(options, progress))
        {
            report = await run.RunAsync(ct);
        }

        TestContext.Out.WriteLine(progress.ToString());
        var line = report.ToJsonLine();
        TestContext.Out.WriteLine(line);
        var json = JsonNode.Parse(line)!.AsObject();
        Assert.Multiple(() =>
        {
            Assert.That(report.Tally.Committed, Is.GreaterThan(50 * 5), "every kiosk committed through the run");
            Assert.That(report.Tally.Lost, Is.Zero, "lost");
            Assert.That(report.Tally.DuplicatesStored, Is.Zero, "duplicates stored");
            Assert.That(report.Tally.Unexpected, Is.Zero, "stored records no kiosk committed");
            Assert.That(report.Tally.Acknowledged, Is.EqualTo(report.Tally.Committed), "committed = acknowledged");
            Assert.That(report.Connected, Is.EqualTo(50), "connected at the end");
            Assert.That(json["storm_settle_s"], Is.Not.Null, "every kiosk connected again after the storm and its backlog acknowledged");
            Assert.That(json["outage_drain_s"], Is.Not.Null, "the backlog of the platform outage drained");
            Assert.That(json["kill_recover_s"], Is.Not.Null, "what was in flight to the killed instance came back and was acknowledged by the other");
            Assert.That(json["p99_commit_to_ack_ms"]?.GetValue<double>(), Is.GreaterThan(0), "steady-state latency measured");
            Assert.That(json["broker_cpu_pct"]?.GetValue<double>(), Is.GreaterThan(0), "the broker's CPU was read");
            Assert.That(report.Passed, Is.True);
        });
    }
}
