using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Kiosk.Central;
using Kiosk.TestSupport;
using Microsoft.Data.Sqlite;

namespace Kiosk.Agent.Tests.EndToEnd;

/// <summary>
/// The agent as its own process (the demo's agent with simulated visitors, against Mosquitto), killed with
/// SIGKILL while it commits and syncs, then restarted: every check-in it reported committed reaches the
/// platform, the platform stores each exactly once, and the outbox ends empty.
/// </summary>
[NonParallelizable]
public sealed class CrashRecoveryTests
{
    private const string PresenceKey = "demo-site/kiosk-01";

    private static string DemoDll => Path.Combine(AppContext.BaseDirectory, "kiosk-demo.dll");

    /// <summary>KIOSK_KILLS raises the number of kill cycles for long runs.</summary>
    private static int Kills => int.TryParse(Environment.GetEnvironmentVariable("KIOSK_KILLS"), CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 3;

    [Test]
    public async Task An_agent_killed_while_syncing_loses_and_duplicates_nothing()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        using var folder = new TempFolder("crash");
        await using var central = new CentralPlatform(new CentralOptions { BrokerPort = broker.Port, DatabasePath = folder.File("central.db") });
        await central.StartAsync(CancellationToken.None);
        var committed = new ConcurrentDictionary<string, long>();
        var random = new Random(20261128);

        for (var kill = 1; kill <= Kills; kill++)
        {
            var killAfter = committed.Count + random.Next(4, 12);
            using var agent = StartDemo(broker.Port, folder.Path, committed, "--interval-ms", "15");
            await WaitUntil(() => committed.Count >= killAfter || agent.HasExited, TimeSpan.FromSeconds(60), "commits before the kill");
            Assert.That(agent.HasExited, Is.False, "the agent was still running when it was to be killed");
            agent.Kill(); // SIGKILL on Linux: no shutdown code runs.
            await agent.WaitForExitAsync();
            if (kill == 1)
            {
                await WaitUntil(() => central.Kiosks.TryGetValue(PresenceKey, out var presence) && !presence.Online, TimeSpan.FromSeconds(30), "the Last Will on the state topic");
            }
        }

        TestContext.Progress.WriteLine($"crash test: {committed.Count} check-ins committed across {Kills} kills; platform stored {central.Counts.RecordsStored}, dropped {central.Counts.DuplicatesDropped} duplicate deliveries");
        using (var drain = StartDemo(broker.Port, folder.Path, committed, "--checkins", "0"))
        {
            Assert.That(await WaitForExitAsync(drain, TimeSpan.FromMinutes(2)), Is.Zero, "the restarted agent drained its backlog");
        }

        var stored = (await central.GetStoredRecordsAsync(CancellationToken.None)).Where(r => r.KioskId == "kiosk-01").ToList();
        var storedIds = stored.Select(r => r.RecordId).ToHashSet();
        Assert.Multiple(() =>
        {
            Assert.That(committed.Keys.Where(id => !storedIds.Contains(id)), Is.Empty, "lost: committed but never stored by the platform");
            Assert.That(stored.GroupBy(r => r.Seq).Where(g => g.Count() > 1).Select(g => g.Key), Is.Empty, "duplicates: one kiosk seq stored twice");
            Assert.That(OutboxRows(folder.File("agent/outbox.db")), Is.Zero, "the outbox is empty once everything is acknowledged");
            Assert.That(IntegrityCheck(folder.File("agent/outbox.db")), Is.EqualTo("ok"));
        });
    }

    private static Process StartDemo(int brokerPort, string dataFolder, ConcurrentDictionary<string, long> committed, params string[] extra)
    {
        var start = new ProcessStartInfo("dotnet", [DemoDll, "--broker", $"127.0.0.1:{brokerPort}", "--no-central", "--trace-commits", "--data", dataFolder, "--test-data", RepositoryPaths.TestData, .. extra])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line && line.StartsWith("committed ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                committed[parts[1]] = long.Parse(parts[2]["seq=".Length..], CultureInfo.InvariantCulture);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (!string.IsNullOrEmpty(e.Data))
            {
                TestContext.Progress.WriteLine("agent stderr: " + e.Data);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<int> WaitForExitAsync(Process process, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
            return process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            Assert.Fail($"the agent did not finish within {timeout}");
            return -1;
        }
    }

    /// <summary>Polls state that another process changes; there is nothing in-process to await.</summary>
    private static async Task WaitUntil(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out waiting for {what}");
            }

            await Task.Delay(20);
        }
    }

    private static long OutboxRows(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM records;";
        return (long)command.ExecuteScalar()!;
    }

    private static string IntegrityCheck(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check;";
        return (string)command.ExecuteScalar()!;
    }
}
