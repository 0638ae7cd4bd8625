using System.Diagnostics;
using System.Security.Cryptography;
using Kiosk.Agent.Devices;
using Kiosk.Central.Provisioning;
using Kiosk.Fleet.Broker;
using Kiosk.Fleet.Kiosks;
using Kiosk.Fleet.Measuring;
using Kiosk.Fleet.Platform;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kiosk.Fleet.Running;

/// <summary>
/// One fleet run: the broker, the platform, N kiosks, the scenarios in order, the final drain, then the count from the
/// outbox files and the platform's store (<see cref="FleetTally"/>).
/// </summary>
internal sealed partial class FleetRun : IAsyncDisposable
{
    private readonly FleetOptions _options;
    private readonly TextWriter _progress;
    private readonly TimeProvider _time = TimeProvider.System;
    private readonly LatencyLog _latencies = new();
    private readonly FleetLog _log;
    private readonly ILoggerFactory _loggers;
    private readonly string _folder;
    private readonly int _seed;
    private FleetBroker? _broker;
    private IFleetPlatform? _platform;
    private KioskFleet? _fleet;
    private volatile string _phase = "start";
    private long _startedAt;
    private long _peakRssKib;

    public FleetRun(FleetOptions options, TextWriter progress)
    {
        _options = options;
        _progress = TextWriter.Synchronized(progress);
        _log = new FleetLog(_progress);
        _loggers = LoggerFactory.Create(b => b.AddProvider(_log).SetMinimumLevel(LogLevel.Warning));
        _folder = Path.GetFullPath(options.Folder ?? Path.Combine(Path.GetTempPath(), $"kiosk-fleet-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}"));
        _seed = options.Seed ?? RandomNumberGenerator.GetInt32(int.MaxValue);
    }

    public string Phase => _phase;

    /// <summary>Plays the run and returns its report (the caller prints it). Throws when the run cannot even start.</summary>
    public async Task<FleetReport> RunAsync(CancellationToken ct)
    {
        CheckOpenFiles();
        // Hundreds of kiosks run SQLite commits (fsync) on pool threads: start with enough of them that the pool's slow
        // growth never starves the MQTT receive loops that carry the PUBACKs and acks.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, Math.Min(256, 32 + (_options.Kiosks / 8))), io);
        Directory.CreateDirectory(_folder);
        _progress.WriteLine($"fleet: {_options.Kiosks} kiosks, {_options.Minutes} min, scenarios {_options.Scenarios}, data in {_folder}");
        _startedAt = _time.GetTimestamp();
        var schedule = FleetSchedule.For(_options);
        var figures = new Dictionary<string, double?>(StringComparer.Ordinal);

        var (signingKey, publicKey) = PlatformKeys();
        _broker = await FleetBroker.StartAsync(_options.Mosquitto, Path.Combine(_folder, "broker"), _progress, ct).ConfigureAwait(false);
        _platform = new SharedPlatform(_options.Instances, Path.Combine(_folder, "platform"), _broker.Port, signingKey, _progress);
        await _platform.StartAsync(ct).ConfigureAwait(false);

        if (_options.SqliteHeapBytes > 0)
        {
            // The limit covers every kiosk's page cache; SQLite must be initialised before it is set.
            SQLitePCL.Batteries_V2.Init();
            SQLitePCL.raw.sqlite3_soft_heap_limit64(_options.SqliteHeapBytes);
        }

        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var baselineRssKib = ProcessCpu.ResidentKib();
        var cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
        var settings = KioskSettings(publicKey);
        _fleet = await KioskFleet.CreateAsync(_options.Kiosks, _folder, settings, _latencies, _progress).ConfigureAwait(false);
        using var progressStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var progressLoop = ProgressLoopAsync(progressStop.Token);

        await _fleet.StartAsync(ct).ConfigureAwait(false);
        var connectStarted = _time.GetTimestamp();
        _phase = "warmup";
        _fleet.StartCommitting(_options.CommitInterval, () => _phase, new Random(_seed), _options.AttachmentBytes);
        var connected = await WaitAsync(() => _fleet.Connected == _fleet.Count, schedule.SettleBound, ct).ConfigureAwait(false);
        figures["connect_all_s"] = connected ? _time.GetElapsedTime(connectStarted).TotalSeconds : null;
        // Steady state starts once every kiosk is connected, has had its first period to commit, and the start's backlog
        // (a thousand connects, births and first check-ins at once) is acknowledged: until then what is measured is the
        // start-up, reported on its own (warmup_s, warmup_p99_commit_to_ack_ms), not the steady load.
        await HoldAsync(_options.CommitInterval - _time.GetElapsedTime(connectStarted), ct).ConfigureAwait(false);
        var firstPeriodEnd = _time.GetTimestamp();
        var startSettled = await WaitAsync(() => _fleet.SettledSince(firstPeriodEnd), schedule.SettleBound, ct).ConfigureAwait(false);
        figures["warmup_s"] = startSettled ? _time.GetElapsedTime(connectStarted).TotalSeconds : null;

        if (_options.Scenarios.HasFlag(FleetScenario.Steady))
        {
            _phase = "steady";
            await HoldAsync(schedule.Steady, ct).ConfigureAwait(false);
            figures["steady_rss_kib"] = ProcessCpu.ResidentKib();
            // The steady phase's last records are still on their way: they arrive before the next scenario disturbs them
            // (a broker killed under them would make their wait its own, counted as steady). What is committed meanwhile
            // counts for no phase.
            _phase = "between";
            var steadyEnd = _time.GetTimestamp();
            await WaitAsync(() => _fleet.SettledSince(steadyEnd), schedule.SettleBound, ct).ConfigureAwait(false);
        }

        if (_options.Scenarios.HasFlag(FleetScenario.Storm))
        {
            figures["storm_settle_s"] = await StormAsync(schedule, ct).ConfigureAwait(false);
        }

        if (_options.Scenarios.HasFlag(FleetScenario.Outage))
        {
            figures["outage_s"] = schedule.OutageHold.TotalSeconds;
            (figures["outage_backlog"], figures["outage_drain_s"]) = await OutageAsync(schedule, ct).ConfigureAwait(false);
        }

        string? killSkipped = null;
        if (_options.Scenarios.HasFlag(FleetScenario.Kill))
        {
            killSkipped = _platform.KillUnavailable;
            figures["kill_recover_s"] = killSkipped is null ? await KillAsync(schedule, ct).ConfigureAwait(false) : null;
        }

        _phase = "drain";
        figures["rss_end_kib"] = ProcessCpu.ResidentKib();
        await _fleet.StopCommittingAsync().ConfigureAwait(false);
        var drainFrom = _time.GetTimestamp();
        var drained = await WaitAsync(() => _fleet.SettledSince(long.MaxValue), _options.DrainBound, ct).ConfigureAwait(false);
        figures["drain_s"] = drained ? _time.GetElapsedTime(drainFrom).TotalSeconds : null;
        var connectedAtEnd = _fleet.Connected;
        var fleetCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuAtStart).TotalSeconds;
        var wall = _time.GetElapsedTime(_startedAt).TotalSeconds;
        var brokerCpu = _broker.CpuSeconds;
        var platformCpu = _platform.CpuSeconds;
        var resent = _fleet.Resent;
        var commitFailures = _fleet.CommitFailures;

        _phase = "count";
        await progressStop.CancelAsync().ConfigureAwait(false);
        await progressLoop.ConfigureAwait(false);
        await _fleet.StopAsync().ConfigureAwait(false);
        await _fleet.DisposeAsync().ConfigureAwait(false);
        var census = _fleet.Census();
        _fleet = null;
        var stored = await _platform.ReadStoredAsync(ct).ConfigureAwait(false);
        var tally = FleetTally.Count(census, stored);

        var report = new FleetReport { Tally = tally, Kiosks = _options.Kiosks, Connected = connectedAtEnd };
        var steady = _latencies.Samples("steady");
        var f = report.Figures;
        f["p99_commit_to_ack_ms"] = FleetReport.Round(LatencyLog.Percentile(steady, 0.99), 0);
        f["p50_commit_to_ack_ms"] = FleetReport.Round(LatencyLog.Percentile(steady, 0.50), 0);
        f["steady_samples"] = steady.Count;
        f["storm_settle_s"] = FleetReport.Round(figures.GetValueOrDefault("storm_settle_s"));
        f["broker_cpu_pct"] = FleetReport.Round(100 * brokerCpu / wall);
        f["fleet_cpu_pct"] = FleetReport.Round(100 * fleetCpu / wall);
        f["platform_cpu_pct"] = FleetReport.Round(100 * platformCpu / wall);
        var steadyRss = figures.GetValueOrDefault("steady_rss_kib") ?? figures["rss_end_kib"]!.Value;
        f["memory_per_kiosk_kib"] = FleetReport.Round((steadyRss - baselineRssKib) / _options.Kiosks, 0);
        f["rss_baseline_mib"] = FleetReport.Round(baselineRssKib / 1024.0, 0);
        f["rss_peak_mib"] = FleetReport.Round(Math.Max(Interlocked.Read(ref _peakRssKib), (long)figures["rss_end_kib"]!.Value) / 1024.0, 0);
        f["connect_all_s"] = FleetReport.Round(figures["connect_all_s"]);
        f["warmup_s"] = FleetReport.Round(figures["warmup_s"]);
        f["warmup_p99_commit_to_ack_ms"] = FleetReport.Round(LatencyLog.Percentile(_latencies.Samples("warmup"), 0.99), 0);
        foreach (var phase in new[] { "storm", "outage", "kill" })
        {
            f[$"{phase}_p99_commit_to_ack_ms"] = FleetReport.Round(LatencyLog.Percentile(_latencies.Samples(phase), 0.99), 0);
        }

        f["outage_s"] = FleetReport.Round(figures.GetValueOrDefault("outage_s"));
        f["outage_backlog"] = FleetReport.Round(figures.GetValueOrDefault("outage_backlog"), 0);
        f["outage_drain_s"] = FleetReport.Round(figures.GetValueOrDefault("outage_drain_s"));
        f["kill_recover_s"] = FleetReport.Round(figures.GetValueOrDefault("kill_recover_s"));
        f["kill_skipped"] = killSkipped;
        // The killed instance's broker session is ended as an operator would (SharedPlatform.EndSessionAsync).
        f["kill_session_ended"] = _options.Scenarios.HasFlag(FleetScenario.Kill) && killSkipped is null;
        f["drain_s"] = FleetReport.Round(figures["drain_s"]);
        f["resent"] = resent;
        f["commit_failures"] = commitFailures;
        f["late_schedules"] = _latencies.LateCount;
        f["duration_s"] = FleetReport.Round(wall);
        f["platform"] = _platform.Description;
        f["instances"] = _platform.Instances;
        f["scenarios"] = _options.Scenarios.ToString();
        f["minutes"] = _options.Minutes;
        f["interval_s"] = _options.CommitInterval.TotalSeconds;
        f["attachment_kib"] = _options.AttachmentBytes / 1024;
        f["ack_timeout_s"] = _options.AckTimeout.TotalSeconds;
        f["reconnect_base_s"] = _options.ReconnectBaseDelay.TotalSeconds;
        f["reconnect_max_s"] = _options.ReconnectMaxDelay.TotalSeconds;
        f["socket_buffer_kib"] = _options.SocketBufferBytes / 1024;
        f["sqlite_heap_mib"] = _options.SqliteHeapBytes / (1024 * 1024);
        f["agent_warnings"] = new System.Text.Json.Nodes.JsonObject(_log.Counts.Select(c => KeyValuePair.Create(c.Key, (System.Text.Json.Nodes.JsonNode?)c.Value)));
        f["seed"] = _seed;
        f["folder"] = _folder;
        return report;
    }

    public async ValueTask DisposeAsync()
    {
        if (_fleet is not null)
        {
            await _fleet.StopAsync().ConfigureAwait(false);
            await _fleet.DisposeAsync().ConfigureAwait(false);
        }

        if (_platform is not null)
        {
            await _platform.DisposeAsync().ConfigureAwait(false);
        }

        if (_broker is not null)
        {
            await _broker.DisposeAsync().ConfigureAwait(false);
        }

        _loggers.Dispose();
    }

    private FleetKioskSettings KioskSettings(string publicKeyFile)
    {
        // No device is fitted on a fleet kiosk: an empty configuration selects none, and the birth lists none.
        var selection = DeviceSelection.Read(new ConfigurationBuilder().Build(), new DriverRegistry([]), demoProfile: false);
        var devices = new DeviceSet(selection, _folder, _time);
        return new FleetKioskSettings(Options.Create(FleetKioskSettings.SyncFor(_options, _broker!.Port)), publicKeyFile, _options.AttachmentBytes, devices, _loggers, _time);
    }

    /// <summary>The platform's command-signing key pair (SimulatorPki); the kiosks get the public half, as enrollment gives it.</summary>
    private (string PrivateKeyFile, string PublicKeyFile) PlatformKeys()
    {
        var pki = SimulatorPki.Create(Path.Combine(_folder, "pki"));
        using var key = ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(pki.CommandSigningKeyFile));
        var publicFile = Path.Combine(_folder, "pki", "command-signing.pub");
        File.WriteAllText(publicFile, key.ExportSubjectPublicKeyInfoPem() + "\n");
        return (pki.CommandSigningKeyFile, publicFile);
    }

    /// <summary>Each kiosk holds its MQTT socket and six SQLite files (two databases with WAL and shared memory).</summary>
    private void CheckOpenFiles()
    {
        var needed = (_options.Kiosks * 8L) + 512;
        if (ProcessCpu.OpenFileLimit() is { } limit && limit < needed)
        {
            throw new InvalidOperationException($"the open-file limit is {limit}, and {_options.Kiosks} kiosks need about {needed}: raise it first ('ulimit -n {Math.Max(needed, 65536)}'; ./kiosk.sh fleet does)");
        }
    }
}
