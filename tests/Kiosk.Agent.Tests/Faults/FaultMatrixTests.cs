using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Kiosk.Agent.Outbox;
using Kiosk.Agent.Sync;
using Kiosk.Agent.Tests.Sync;
using Kiosk.Central;
using Kiosk.TestSupport;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Kiosk.Agent.Tests.Faults;

/// <summary>
/// The fault matrix (docs/architecture.md, "Testing"): the agent killed with SIGKILL while committing and while syncing, the broker
/// stopped mid-drain, and the connection cut, refused, delayed, throttled and reset mid-packet by an in-test proxy.
/// Every scenario ends the same way (<see cref="AssertNothingLostOrDuplicatedAsync"/>): every committed record is
/// stored by the central simulator, none is stored twice, the outbox is empty and intact, and the duplicate deliveries
/// the platform had to drop stay within what the in-flight window allows per reconnect.
/// </summary>
[NonParallelizable]
public sealed class FaultMatrixTests
{
    /// <summary>The agent's <c>Kiosk:Sync:MaxInFlightRecords</c> default: at most this many records are resent per reconnect.</summary>
    private const int MaxInFlightRecords = 1024;

    private const int DefaultKills = 50;
    private const string DemoSite = "demo-site";
    private const string DemoKiosk = "kiosk-01";
    private const string HarnessSite = "site-t";
    private const string HarnessKiosk = "kiosk-t";
    private const int Seed = 20261128;

    private static readonly TimeSpan AckWait = TimeSpan.FromSeconds(90);

    private MosquittoBroker _broker = null!;
    private TempFolder _folder = null!;
    private CentralPlatform _central = null!;

    /// <summary>Kills across scenarios (a) and (b): 50 by default, KIOSK_KILLS raises it; (a) gets 3/5, (b) the rest.</summary>
    private static int TotalKills => int.TryParse(Environment.GetEnvironmentVariable("KIOSK_KILLS"), CultureInfo.InvariantCulture, out var n) && n > DefaultKills ? n : DefaultKills;

    private static int KillsDuringCommit => (TotalKills * 3) / 5;

    private static int KillsDuringSync => TotalKills - KillsDuringCommit;

    private static string DemoDll => Path.Combine(AppContext.BaseDirectory, "kiosk-demo.dll");

    [SetUp]
    public async Task SetUp()
    {
        _broker = await MosquittoBroker.StartAsync();
        _folder = new TempFolder("faults");
        _central = new CentralPlatform(new CentralOptions { BrokerPort = _broker.Port, DatabasePath = _folder.File("central.db"), SigningKeyFile = TestPlatformKey.PrivateKeyFile });
        await _central.StartAsync(CancellationToken.None);
    }

    [TearDown]
    public async Task TearDown()
    {
        await _central.DisposeAsync();
        await _broker.DisposeAsync();
        _folder.Dispose();
    }

    // ---- (a) and (b): the demo's agent as its own process, killed with SIGKILL ----

    [Test]
    public async Task A_SIGKILL_during_commit_loses_and_duplicates_nothing()
    {
        var committed = new ConcurrentDictionary<string, long>();
        var random = new Random(Seed);
        var kills = KillsDuringCommit;
        var timer = Stopwatch.StartNew();
        for (var kill = 1; kill <= kills; kill++)
        {
            using var agent = DemoProcess.Start(_broker.Port, _folder.Path, committed, "--interval-ms", "10");
            await agent.FirstCommit.WaitAsync(TimeSpan.FromSeconds(60));
            await agent.KillAfterAsync(TimeSpan.FromMilliseconds(random.Next(150, 1501)));
            if (kill == 1)
            {
                await PollUntil(() => _central.Kiosks.TryGetValue($"{DemoSite}/{DemoKiosk}", out var presence) && !presence.Online, TimeSpan.FromSeconds(30), "the Last Will on the state topic after the first SIGKILL");
            }
        }

        TestContext.Progress.WriteLine($"(a) {kills} SIGKILLs during commits in {timer.Elapsed.TotalSeconds:0.0} s; {committed.Count} check-ins committed");
        await DrainAsync(_broker.Port, committed);
        await AssertNothingLostOrDuplicatedAsync("(a) SIGKILL during commit", DemoSite, DemoKiosk, committed.Keys.ToList(), DemoOutbox, restartsOrReconnects: kills);
    }

    [Test]
    public async Task B_SIGKILL_during_a_throttled_sync_of_attachments_loses_and_duplicates_nothing()
    {
        await using var proxy = new FaultProxy(MosquittoBroker.Host, _broker.Port) { BytesPerSecond = 200_000 };
        await proxy.StartAsync();
        var committed = new ConcurrentDictionary<string, long>();
        var random = new Random(Seed + 1);
        var kills = KillsDuringSync;
        var timer = Stopwatch.StartNew();
        for (var kill = 1; kill <= kills; kill++)
        {
            var connectionsBefore = proxy.ConnectionsAccepted;
            var bytesBefore = proxy.BytesUpstream;
            using var agent = DemoProcess.Start(proxy.Port, _folder.Path, committed, "--interval-ms", "10");
            await Task.WhenAll(
                agent.FirstCommit.WaitAsync(TimeSpan.FromSeconds(60)),
                proxy.WaitUntilAsync(p => p.ConnectionsAccepted > connectionsBefore, TimeSpan.FromSeconds(60)));
            await agent.KillAfterAsync(TimeSpan.FromMilliseconds(random.Next(150, 1501)));
            Assert.That(proxy.BytesUpstream, Is.GreaterThan(bytesBefore), "the agent was syncing through the throttled link when it was killed");
        }

        var backlog = OutboxRows(DemoOutbox);
        TestContext.Progress.WriteLine($"(b) {kills} SIGKILLs during a 200 KB/s sync in {timer.Elapsed.TotalSeconds:0.0} s; {committed.Count} check-ins committed, {backlog} records in the outbox, {proxy.BytesUpstream / 1e6:0.0} MB sent through the proxy");
        Assert.That(backlog, Is.GreaterThan(0), "the kills left a backlog for the drain (else this scenario tested nothing)");
        proxy.BytesPerSecond = null;
        await DrainAsync(proxy.Port, committed);
        await AssertNothingLostOrDuplicatedAsync("(b) SIGKILL during sync", DemoSite, DemoKiosk, committed.Keys.ToList(), DemoOutbox, restartsOrReconnects: kills);
    }

    // ---- (c): the broker stopped and restarted mid-drain ----

    [Test]
    public async Task C_the_broker_stopped_twice_mid_drain_loses_and_duplicates_nothing()
    {
        var agentFolder = _folder.File("agent");
        var receipts = new List<CommitReceipt>();
        string outboxPath;
        await using (var agent = new TestAgent(_broker.Port, agentFolder, new Dictionary<string, string?> { ["Kiosk:Sync:AckTimeout"] = "00:00:03" }))
        {
            var acks = RecordTracker.Acknowledged(agent.Status);
            var stored = RecordTracker.StoredBy(_central, HarnessKiosk);
            receipts.AddRange(await CommitBacklogAsync(agent, records: 60, attachmentEvery: 2, attachmentBytes: 300_000));
            await agent.StartAsync();

            var stoppedAt = new List<int>();
            foreach (var storedBeforeStop in new[] { 12, 36 })
            {
                // Acks go out in batches, so the platform's stores are the finer measure of the drain's progress.
                await stored.WaitUntilAsync(t => t.Count >= storedBeforeStop, AckWait, $"{storedBeforeStop} records stored by the platform");
                await _broker.StopAsync();
                stoppedAt.Add(acks.Count);
                // Commits go on while the broker is away.
                receipts.Add(await agent.CommitAsync(CheckIn(1000 + stoppedAt.Count, NewAttachment.FromBytes("scan", "image/png", RandomBytes(200_000, stoppedAt.Count), biometric: false))));
                await _broker.StartAgainAsync();
            }

            Assert.That(stoppedAt, Has.All.LessThan(60), "the broker went down with records of the backlog not yet acknowledged");
            await acks.WaitUntilAsync(a => receipts.All(r => a.Contains(r.RecordId)), AckWait, "every record acknowledged after two broker outages");
            await WaitOutboxEmptyAsync(agent, acks);
            outboxPath = agent.Outbox.Path;
            TestContext.Progress.WriteLine($"(c) broker stopped with {string.Join(" and ", stoppedAt)} of {receipts.Count} records acknowledged; agent resent {agent.Status.RecordsResent} records");
        }

        await AssertNothingLostOrDuplicatedAsync("(c) broker restarted twice", HarnessSite, HarnessKiosk, receipts.Select(r => r.RecordId).ToList(), outboxPath, restartsOrReconnects: 2);
    }

    // ---- (d): through the proxy, in-process agent ----

    [Test]
    public async Task D1_connections_cut_repeatedly_during_a_drain_lose_and_duplicate_nothing()
    {
        await using var proxy = new FaultProxy(MosquittoBroker.Host, _broker.Port);
        await proxy.StartAsync();
        await using var agent = AgentThrough(proxy);
        var acks = RecordTracker.Acknowledged(agent.Status);
        var receipts = await CommitBacklogAsync(agent, records: 60, attachmentEvery: 2, attachmentBytes: 300_000);
        await agent.StartAsync();

        const int cuts = 5;
        const long bytesBetweenCuts = 1_000_000;
        var cutAt = new List<int>();
        var acceptedAtCut = 0;
        for (var cut = 1; cut <= cuts; cut++)
        {
            // Cut each new connection once it has carried another megabyte of the drain.
            await WithDiagnosisAsync(agent, proxy.WaitUntilAsync(p => p.ConnectionsAccepted > acceptedAtCut, TimeSpan.FromSeconds(30)), $"the agent reconnects after cut {cut - 1}");
            var bytesBefore = proxy.BytesUpstream;
            await proxy.WaitUntilAsync(p => p.BytesUpstream >= bytesBefore + bytesBetweenCuts, AckWait);
            // Count before cutting: read after, a reconnect that raced in would be counted as "before the cut" and
            // the next round would wait for a connection that never comes.
            acceptedAtCut = proxy.ConnectionsAccepted;
            proxy.CutAll();
            cutAt.Add(acks.Count);
            Assert.That(acks.Count, Is.LessThan(receipts.Count), $"cut {cut} came while the drain was unfinished");
        }

        TestContext.Progress.WriteLine($"(d1) cuts with {string.Join(", ", cutAt)} of {receipts.Count} records acknowledged");
        await FinishAsync("(d1) connection cut 5 times mid-drain", agent, acks, receipts, proxy);
    }

    [Test]
    public async Task D2_a_link_down_while_commits_go_on_loses_and_duplicates_nothing()
    {
        await using var proxy = new FaultProxy(MosquittoBroker.Host, _broker.Port);
        await proxy.StartAsync();
        await using var agent = AgentThrough(proxy);
        var acks = RecordTracker.Acknowledged(agent.Status);
        await agent.StartAsync();
        var receipts = new List<CommitReceipt> { await agent.CommitAsync(CheckIn(0)) };
        await acks.WaitUntilAsync(a => a.Contains(receipts[0].RecordId), AckWait, "the first record acknowledged over the link");

        proxy.Accepting = false;
        proxy.CutAll();
        for (var i = 1; i <= 20; i++)
        {
            receipts.Add(await agent.CommitAsync(CheckIn(i, i % 4 == 0 ? [NewAttachment.FromBytes("face", "image/png", RandomBytes(150_000, i), biometric: true)] : [])));
        }

        // Down "for a while": until the agent has been turned away at least three times.
        var resetsWhenDown = proxy.ConnectionsReset;
        await proxy.WaitUntilAsync(p => p.ConnectionsReset >= resetsWhenDown + 3, TimeSpan.FromSeconds(30));
        Assert.That(acks.Count, Is.EqualTo(1), "nothing was acknowledged while the link was down");
        Assert.That((await agent.Outbox.GetTotalsAsync(CancellationToken.None)).Records, Is.EqualTo(20), "commits went on into the outbox");

        proxy.Accepting = true;
        await FinishAsync("(d2) link down, then up", agent, acks, receipts, proxy);
    }

    [Test]
    public async Task D3_300_ms_latency_loses_and_duplicates_nothing()
    {
        await using var proxy = new FaultProxy(MosquittoBroker.Host, _broker.Port) { Latency = TimeSpan.FromMilliseconds(300) };
        await proxy.StartAsync();
        await using var agent = AgentThrough(proxy);
        var acks = RecordTracker.Acknowledged(agent.Status);
        await agent.StartAsync();
        var receipts = await CommitBacklogAsync(agent, records: 30, attachmentEvery: 3, attachmentBytes: 300_000);

        await FinishAsync("(d3) 300 ms latency", agent, acks, receipts, proxy);
    }

    [Test]
    public async Task D4_a_throttled_link_loses_and_duplicates_nothing()
    {
        await using var proxy = new FaultProxy(MosquittoBroker.Host, _broker.Port) { BytesPerSecond = 300_000 };
        await proxy.StartAsync();
        await using var agent = AgentThrough(proxy);
        var acks = RecordTracker.Acknowledged(agent.Status);
        await agent.StartAsync();
        var timer = Stopwatch.StartNew();
        var receipts = await CommitBacklogAsync(agent, records: 24, attachmentEvery: 8, attachmentBytes: 250_000);

        await FinishAsync("(d4) 300 KB/s", agent, acks, receipts, proxy);
        TestContext.Progress.WriteLine($"(d4) {proxy.BytesUpstream / 1e3:0} KB upstream in {timer.Elapsed.TotalSeconds:0.0} s");
    }

    [Test]
    public async Task D5_a_reset_in_the_middle_of_a_1_MB_attachment_loses_duplicates_and_corrupts_nothing()
    {
        await using var proxy = new FaultProxy(MosquittoBroker.Host, _broker.Port);
        await proxy.StartAsync();
        await using var agent = AgentThrough(proxy);
        var acks = RecordTracker.Acknowledged(agent.Status);
        await agent.StartAsync();
        var receipts = new List<CommitReceipt> { await agent.CommitAsync(CheckIn(0)) };
        await acks.WaitUntilAsync(a => a.Contains(receipts[0].RecordId), AckWait, "the first record acknowledged");

        var scan = RandomBytes(1_000_000, seed: 7);
        proxy.ResetAfterBytes = 500_000;
        receipts.Add(await agent.CommitAsync(CheckIn(1, NewAttachment.FromBytes("scan", "image/png", scan, biometric: false))));
        await proxy.WaitUntilAsync(p => p.ConnectionsReset >= 1, AckWait);
        Assert.That(proxy.ResetAfterBytes, Is.Null, "the reset fired");

        await FinishAsync("(d5) reset 500 KB into a 1 MB attachment", agent, acks, receipts, proxy);
        Assert.Multiple(async () =>
        {
            Assert.That(await _central.GetAttachmentAsync(receipts[1].RecordId, "scan", CancellationToken.None), Is.EqualTo(scan), "the attachment arrived byte for byte after the reset");
            Assert.That(_central.Counts.HashFailures, Is.Zero, "a reset drops whole MQTT packets; no chunk reaches the platform damaged");
        });
    }

    // ---- shared steps ----

    private string DemoOutbox => _folder.File("agent/outbox.db");

    /// <summary>The in-process agent connecting through the proxy (the platform talks to Mosquitto directly).</summary>
    private TestAgent AgentThrough(FaultProxy proxy) => new(proxy.Port, _folder.File("agent"));

    private static NewRecord CheckIn(int n, params NewAttachment[] attachments) =>
        new(RecordKind.CheckIn, new JsonObject { ["n"] = n }) { Attachments = attachments };

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Commits a backlog: every <paramref name="attachmentEvery"/>-th record carries a random attachment.</summary>
    private static async Task<List<CommitReceipt>> CommitBacklogAsync(TestAgent agent, int records, int attachmentEvery, int attachmentBytes)
    {
        var receipts = new List<CommitReceipt>();
        for (var i = 0; i < records; i++)
        {
            receipts.Add(await agent.CommitAsync(i % attachmentEvery == 0
                ? CheckIn(i, NewAttachment.FromBytes("scan", "image/png", RandomBytes(attachmentBytes, i), biometric: false))
                : CheckIn(i)));
        }

        return receipts;
    }

    /// <summary>Waits for every receipt's ack and the outbox to empty, lets the agent stop, then runs the shared checks.</summary>
    private async Task FinishAsync(string scenario, TestAgent agent, RecordTracker acks, List<CommitReceipt> receipts, FaultProxy proxy)
    {
        await acks.WaitUntilAsync(a => receipts.All(r => a.Contains(r.RecordId)), AckWait, $"{scenario}: every record acknowledged");
        await WaitOutboxEmptyAsync(agent, acks);
        TestContext.Progress.WriteLine($"{scenario}: {proxy.ConnectionsAccepted} connections through the proxy ({proxy.ConnectionsReset} reset by it), {proxy.BytesUpstream / 1e6:0.00} MB up, {proxy.BytesDownstream / 1e3:0} KB down; agent resent {agent.Status.RecordsResent} records");
        await AssertNothingLostOrDuplicatedAsync(scenario, HarnessSite, HarnessKiosk, receipts.Select(r => r.RecordId).ToList(), agent.Outbox.Path, restartsOrReconnects: Math.Max(0, proxy.ConnectionsAccepted - 1));
    }

    /// <summary>Awaits <paramref name="wait"/>; on a timeout fails with what the agent's connection and sync report.</summary>
    private static async Task WithDiagnosisAsync(TestAgent agent, Task wait, string what)
    {
        try
        {
            await wait;
        }
        catch (TimeoutException ex)
        {
            var connection = agent.Services.GetRequiredService<MqttConnection>();
            var status = agent.Status;
            var outbox = await agent.Outbox.GetTotalsAsync(CancellationToken.None);
            Assert.Fail($"timed out waiting for {what}: {ex.Message}\nagent: connected={connection.IsConnected} epoch={connection.Epoch}; published {status.RecordsPublished}, resent {status.RecordsResent}, acknowledged {status.RecordsAcknowledged}, chunks {status.ChunksPublished}; outbox {outbox.Records} records");
        }
    }

    /// <summary>Completes when the outbox holds no record; re-checked after every acknowledgement.</summary>
    private static async Task WaitOutboxEmptyAsync(TestAgent agent, RecordTracker acks)
    {
        while (true)
        {
            var seen = acks.Count;
            if ((await agent.Outbox.GetTotalsAsync(CancellationToken.None)).Records == 0)
            {
                return;
            }

            await acks.WaitUntilAsync(a => a.Count > seen, AckWait, "the outbox to empty");
        }
    }

    /// <summary>The end of every scenario: nothing lost, nothing stored twice, outbox empty and intact, duplicates bounded.</summary>
    private async Task AssertNothingLostOrDuplicatedAsync(string scenario, string siteId, string kioskId, IReadOnlyCollection<string> committedIds, string outboxPath, int restartsOrReconnects)
    {
        var stored = (await _central.GetStoredRecordsAsync(CancellationToken.None)).Where(r => r.SiteId == siteId && r.KioskId == kioskId).ToList();
        var storedIds = stored.Select(r => r.RecordId).ToHashSet();
        var lost = committedIds.Where(id => !storedIds.Contains(id)).ToList();
        var storedTwice = stored.GroupBy(r => r.Seq).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        var counts = _central.Counts;
        var duplicateBound = (long)MaxInFlightRecords * (restartsOrReconnects + 1);
        var outboxRows = OutboxRows(outboxPath);
        var integrity = IntegrityCheck(outboxPath);
        TestContext.Progress.WriteLine($"{scenario}: {committedIds.Count} committed, {stored.Count} stored, {lost.Count} lost, {storedTwice.Count} seqs stored twice; " +
            $"{counts.DuplicatesDropped} duplicate deliveries dropped by the platform (bound {duplicateBound} for {restartsOrReconnects} restarts/reconnects), {counts.HashFailures} hash failures; outbox {outboxRows} rows, integrity {integrity}");
        Assert.Multiple(() =>
        {
            Assert.That(committedIds, Is.Not.Empty, "the scenario committed something");
            Assert.That(lost, Is.Empty, "lost: committed but never stored by the platform");
            Assert.That(storedTwice, Is.Empty, "duplicates: one kiosk seq stored twice");
            Assert.That(outboxRows, Is.Zero, "the outbox is empty once everything is acknowledged");
            Assert.That(integrity, Is.EqualTo("ok"), "PRAGMA integrity_check of the outbox");
            Assert.That(counts.DuplicatesDropped, Is.LessThanOrEqualTo(duplicateBound), "duplicate deliveries stay within MaxInFlightRecords per reconnect");
        });
    }

    /// <summary>The final run: drains the backlog (no new visitors) and must exit 0 with the outbox empty.</summary>
    private async Task DrainAsync(int brokerPort, ConcurrentDictionary<string, long> committed)
    {
        var timer = Stopwatch.StartNew();
        using var drain = DemoProcess.Start(brokerPort, _folder.Path, committed, "--checkins", "0");
        var exitCode = await drain.WaitForExitAsync(TimeSpan.FromMinutes(2));
        TestContext.Progress.WriteLine($"drain run: exit {exitCode} after {timer.Elapsed.TotalSeconds:0.0} s");
        Assert.That(exitCode, Is.Zero, "the restarted agent drained its backlog:\n" + drain.Output);
    }

    private static long OutboxRows(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False;Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM records;";
        return (long)command.ExecuteScalar()!;
    }

    private static string IntegrityCheck(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False;Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check;";
        return (string)command.ExecuteScalar()!;
    }

    /// <summary>Polls state that another process (the broker delivering a Last Will) changes; there is nothing in-process to await.</summary>
    private static async Task PollUntil(Func<bool> condition, TimeSpan timeout, string what)
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

    /// <summary>
    /// Record ids seen by an in-process event (the agent's acks, the platform's first stores), awaitable:
    /// conditions are re-checked on every event, so nothing in-process is polled.
    /// </summary>
    private sealed class RecordTracker
    {
        private readonly ConcurrentDictionary<string, byte> _seen = new();
        private readonly List<(Func<RecordTracker, bool> Condition, TaskCompletionSource Done)> _waiters = [];

        public int Count => _seen.Count;

        /// <summary>Every record the agent reports acknowledged (and deleted from its outbox).</summary>
        public static RecordTracker Acknowledged(SyncStatus status)
        {
            var tracker = new RecordTracker();
            status.RecordAcknowledged += (_, e) => tracker.Add(e.RecordId);
            return tracker;
        }

        /// <summary>Every record of one kiosk the platform stores for the first time.</summary>
        public static RecordTracker StoredBy(CentralPlatform central, string kioskId)
        {
            var tracker = new RecordTracker();
            central.RecordStored += (_, e) =>
            {
                if (!e.IsDuplicate && e.KioskId == kioskId)
                {
                    tracker.Add(e.RecordId);
                }
            };
            return tracker;
        }

        public bool Contains(string recordId) => _seen.ContainsKey(recordId);

        public async Task WaitUntilAsync(Func<RecordTracker, bool> condition, TimeSpan timeout, string what)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_waiters)
            {
                _waiters.Add((condition, done));
            }

            Check();
            try
            {
                await done.Task.WaitAsync(timeout);
            }
            catch (TimeoutException)
            {
                Assert.Fail($"timed out after {timeout.TotalSeconds:0} s waiting for {what} ({Count} acks so far)");
            }
            finally
            {
                lock (_waiters)
                {
                    _waiters.RemoveAll(w => w.Done == done);
                }
            }
        }

        private void Add(string recordId)
        {
            _seen[recordId] = 0;
            Check();
        }

        private void Check()
        {
            lock (_waiters)
            {
                foreach (var (condition, done) in _waiters)
                {
                    if (!done.Task.IsCompleted && condition(this))
                    {
                        done.TrySetResult();
                    }
                }
            }
        }
    }

    /// <summary>The demo exe (agent plus simulated visitors) as its own process; collects its <c>committed</c> lines.</summary>
    private sealed class DemoProcess : IDisposable
    {
        private readonly Process _process;
        private readonly TaskCompletionSource _firstCommit = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ConcurrentQueue<string> _output = new();

        private DemoProcess(Process process) => _process = process;

        /// <summary>Completes at the first <c>committed</c> line; fails if the process exits before one.</summary>
        public Task FirstCommit => _firstCommit.Task;

        public string Output => string.Join('\n', _output.TakeLast(40));

        public static DemoProcess Start(int brokerPort, string dataFolder, ConcurrentDictionary<string, long> committed, params string[] extra)
        {
            var start = new ProcessStartInfo("dotnet", [DemoDll, "--broker", $"127.0.0.1:{brokerPort}", "--no-central", "--trace-commits", "--data", dataFolder, "--test-data", RepositoryPaths.TestData, $"--Kiosk:Provisioning:CommandSigningKeyFile={TestPlatformKey.PublicKeyFile}", .. extra])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            var process = new Process { StartInfo = start, EnableRaisingEvents = true };
            var demo = new DemoProcess(process);
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is not { } line)
                {
                    return;
                }

                demo._output.Enqueue(line);
                // A SIGKILL can cut a line short: only a whole "committed <uuid> seq=<n>" counts.
                var parts = line.Split(' ');
                if (parts is ["committed", var id, var seq] && Guid.TryParse(id, out Guid _) && seq.StartsWith("seq=", StringComparison.Ordinal) && long.TryParse(seq.AsSpan(4), CultureInfo.InvariantCulture, out var n))
                {
                    committed[id] = n;
                    demo._firstCommit.TrySetResult();
                }
            };
            process.ErrorDataReceived += (_, e) =>
            {
                if (!string.IsNullOrEmpty(e.Data))
                {
                    demo._output.Enqueue("stderr: " + e.Data);
                }
            };
            process.Exited += (_, _) => demo._firstCommit.TrySetException(new InvalidOperationException("the agent exited before its first commit:\n" + demo.Output));
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return demo;
        }

        /// <summary>Lets the agent run for <paramref name="delay"/> (the random kill moment), then SIGKILLs it.</summary>
        public async Task KillAfterAsync(TimeSpan delay)
        {
            await Task.Delay(delay);
            Assert.That(_process.HasExited, Is.False, "the agent was still running when it was to be killed:\n" + Output);
            _process.Kill(); // SIGKILL on Linux: no shutdown code runs.
            await _process.WaitForExitAsync();
        }

        public async Task<int> WaitForExitAsync(TimeSpan timeout)
        {
            using var cancel = new CancellationTokenSource(timeout);
            try
            {
                await _process.WaitForExitAsync(cancel.Token);
                return _process.ExitCode;
            }
            catch (OperationCanceledException)
            {
                _process.Kill();
                Assert.Fail($"the agent did not finish within {timeout}:\n{Output}");
                return -1;
            }
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit();
            }

            _process.Dispose();
        }
    }
}
