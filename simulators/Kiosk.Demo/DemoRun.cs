using System.Collections.Concurrent;
using System.Globalization;
using Kiosk.Agent.Configuration;
using Kiosk.Agent.Devices;
using Kiosk.Agent.Hosting;
using Kiosk.Agent.LocalApi;
using Kiosk.Agent.Outbox;
using Kiosk.Agent.Session;
using Kiosk.Agent.Sync;
using Kiosk.Central;
using Kiosk.Devices;
using Kiosk.Devices.Simulated;
using Kiosk.Simulation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kiosk.Demo;

/// <summary>One run of the demo: broker, central simulator, agent, visitors, and the closing count.</summary>
internal sealed class DemoRun(DemoArguments arguments, TextWriter output)
{
    private const string SiteId = "demo-site";
    private const string KioskId = "kiosk-01";
    private const int RosterSize = 24;
    private readonly ConcurrentDictionary<string, PendingCheckIn> _pending = new();
    private readonly ConcurrentDictionary<string, byte> _acknowledged = new();
    private readonly TaskCompletionSource _allAcknowledged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _committed;

    private sealed record PendingCheckIn(int Number, string Who, CheckInReceipt Receipt, long CommittedAt);

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var dataRoot = Path.GetFullPath(arguments.DataFolder);
        Directory.CreateDirectory(dataRoot);
        await using var broker = arguments.Broker is null ? await EmbeddedBroker.StartAsync().ConfigureAwait(false) : null;
        var (host, port) = arguments.Broker is null ? ("127.0.0.1", broker!.Port) : ParseBroker(arguments.Broker);
        output.WriteLine($"demo: data in {dataRoot}; broker {(broker is null ? "external" : "embedded")} on {host}:{port}");

        var (signingKey, verifyingKey) = DemoPlatformKey.Ensure(dataRoot);
        await using var central = arguments.WithCentral
            ? new CentralPlatform(new CentralOptions { BrokerHost = host, BrokerPort = port, DatabasePath = Path.Combine(dataRoot, "central", "central.db"), SigningKeyFile = signingKey })
            : null;
        if (central is not null)
        {
            Directory.CreateDirectory(Path.Combine(dataRoot, "central"));
            await central.StartAsync(cancellationToken).ConfigureAwait(false);
        }

        using var agent = BuildAgent(dataRoot, host, port, verifyingKey);
        var outbox = agent.Services.GetRequiredService<OutboxStore>();
        var backlog = await outbox.GetTotalsAsync(cancellationToken).ConfigureAwait(false);
        if (backlog.Records > 0)
        {
            output.WriteLine($"demo: picking up a backlog of {backlog.Records} records ({backlog.CheckIns} check-ins) left by an earlier run");
        }

        agent.Services.GetRequiredService<SyncStatus>().RecordAcknowledged += OnAcknowledged;
        await agent.StartAsync(cancellationToken).ConfigureAwait(false);
        if (agent.Services.GetRequiredService<LocalApiServer>().Address is { } localApi)
        {
            output.WriteLine($"demo: local API on {localApi.GetLeftPart(UriPartial.Authority)} (try ./kiosk.sh ctl status --url {localApi.GetLeftPart(UriPartial.Authority)})");
        }

        if (central is not null && !await ProvisionAsync(central, agent.Services, cancellationToken).ConfigureAwait(false))
        {
            await agent.StopAsync(CancellationToken.None).ConfigureAwait(false);
            return 1;
        }

        if (arguments.Screen)
        {
            return await ServeScreenAsync(agent, cancellationToken).ConfigureAwait(false);
        }

        var target = arguments.CheckIns;
        try
        {
            await VisitAsync(agent.Services, target, cancellationToken).ConfigureAwait(false);
            if (target == 0 || _pending.IsEmpty)
            {
                _allAcknowledged.TrySetResult();
            }

            await _allAcknowledged.Task.WaitAsync(TimeSpan.FromMinutes(2), cancellationToken).ConfigureAwait(false);
            await WaitForDrainAsync(outbox, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            output.WriteLine("demo: gave up waiting for acknowledgements after 2 minutes; the backlog stays in the outbox for the next run");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            output.WriteLine("demo: stopping; anything not yet acknowledged stays in the outbox for the next run");
        }

        await agent.StopAsync(CancellationToken.None).ConfigureAwait(false);
        var duplicates = central is null ? 0 : await CountDuplicatesAsync(central).ConfigureAwait(false);
        if (central is not null)
        {
            var counts = central.Counts;
            output.WriteLine($"central: {counts.RecordsStored} stored, {counts.DuplicatesDropped} duplicate deliveries dropped, {counts.HashFailures} hash failures");
        }

        // A check-in not yet acknowledged but still in the outbox is pending (the next run sends it), not lost.
        var stillQueued = (await outbox.ReadPendingAsync(int.MaxValue / 2, new HashSet<long>(), CancellationToken.None).ConfigureAwait(false)).Records.Select(r => r.RecordId).ToHashSet();
        var pending = _pending.Keys.Count(stillQueued.Contains);
        if (pending > 0)
        {
            output.WriteLine($"demo: {pending} check-ins wait in the outbox for the next run");
        }

        var lost = _committed - _acknowledged.Count - pending;
        output.WriteLine($"demo: {_committed} committed, {_acknowledged.Count} acknowledged, {lost} lost, {duplicates} duplicates");
        return lost == 0 && duplicates == 0 ? 0 : 1;
    }

    private IHost BuildAgent(string dataRoot, string brokerHost, int brokerPort, string platformKeyFile)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory, Args = [] });
        var testData = arguments.TestData ?? Environment.GetEnvironmentVariable("KIOSK_TEST_DATA") ?? Path.Combine(Directory.GetCurrentDirectory(), ".cache", "test-data");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kiosk:SiteId"] = SiteId,
            ["Kiosk:KioskId"] = KioskId,
            ["Kiosk:Profile"] = "demo",
            ["Kiosk:DataFolder"] = Path.Combine(dataRoot, "agent"),
            ["Kiosk:Roster:SimulatedPeople"] = RosterSize.ToString(CultureInfo.InvariantCulture),
            // The roster command carries the people's photographs: 16 MiB packets (the roster command's own limit).
            ["Kiosk:Sync:MaxIncomingPacketBytes"] = (16 * 1024 * 1024).ToString(CultureInfo.InvariantCulture),
            ["Kiosk:Sync:BrokerHost"] = brokerHost,
            ["Kiosk:Sync:BrokerPort"] = brokerPort.ToString(CultureInfo.InvariantCulture),
            ["Kiosk:Provisioning:CommandSigningKeyFile"] = platformKeyFile,
            ["Kiosk:Sync:AckTimeout"] = "00:00:20",
            ["Kiosk:Devices:Simulation:DataFolder"] = Path.GetFullPath(testData),
            ["Kiosk:HeartbeatInterval"] = "00:00:05",
            // A free port, printed at start (and kept in agent/local-api.url), so demos and test runs never fight for one.
            ["Kiosk:LocalApi:Url"] = "http://127.0.0.1:0",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        // Any agent setting can be given on the demo's command line, e.g. to back a device by a real driver.
        builder.Configuration.AddCommandLine([.. arguments.AgentSettings]);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.AddKioskAgent();
        builder.AddSimulatedKiosk();
        builder.Services.AddKioskDrivers(RealDrivers.All);
        if (arguments.WithCentral)
        {
            // The people are generated (the simulated devices present them), but the kiosk knows them only from the
            // platform's roster command, as a production kiosk does. Without the central simulator the generated roster stays.
            builder.Services.Replace(ServiceDescriptor.Singleton<IRoster>(sp => new PlatformRoster(sp.GetRequiredService<RosterStore>())));
        }

        return builder.Build();
    }

    /// <summary>
    /// Sends the kiosk its roster (the generated people, with their photographs, in parts that fit its packet limit) and
    /// its session policy through the central simulator, and waits for both to be in force.
    /// </summary>
    private async Task<bool> ProvisionAsync(CentralPlatform central, IServiceProvider services, CancellationToken cancellationToken)
    {
        var configuration = services.GetRequiredService<IConfiguration>();
        var roster = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<KioskOptions>>().Value.Roster;
        var photos = configuration["Kiosk:Devices:Simulation:DataFolder"]!;
        var packetLimit = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SyncOptions>>().Value.MaxIncomingPacketBytes;

        // Versions only grow, across runs on the same data folder too.
        var version = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(TimeSpan.FromMinutes(1));
        try
        {
            // The JWS carries the body base64url-encoded (4/3), with headroom for its header.
            var results = await central.PushRosterAsync(SiteId, KioskId, SimulatedRoster.PlatformPeople(roster, photos), version, packetLimit / 4 * 3 - 4096, bound.Token).ConfigureAwait(false);
            foreach (var result in results)
            {
                output.WriteLine($"demo: roster command {result.Status}: {result.Message}");
            }

            if (results[^1].Status != "done")
            {
                return false;
            }

            var policy = await central.PushAsync(SiteId, KioskId, "policy", DemoPolicy.Create(version), bound.Token).ConfigureAwait(false);
            output.WriteLine($"demo: policy command {policy.Status}: {policy.Message}");
            return policy.Status == "done";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            output.WriteLine("demo: the kiosk did not answer its roster and policy commands within a minute");
            return false;
        }
    }

    private async Task VisitAsync(IServiceProvider services, int? target, CancellationToken cancellationToken)
    {
        var session = services.GetRequiredService<CheckInSession>();
        var devices = services.GetRequiredService<DeviceSet>();
        var people = SimulatedRoster.People(services.GetRequiredService<Microsoft.Extensions.Options.IOptions<KioskOptions>>().Value.Roster);
        var timeProvider = services.GetRequiredService<TimeProvider>();
        for (var number = 1; target is null || number <= target; number++)
        {
            var person = people[(number - 1) % people.Count];
            var (outcome, receipt) = await SimulatedVisitor.CheckInAsync(session, devices, person, cancellationToken).ConfigureAwait(false);
            if (receipt is null)
            {
                output.WriteLine($"  #{number} {Who(person)} did not finish: {outcome.Result} {outcome.Message}");
                number--;
                continue;
            }

            _pending[receipt.RecordId] = new PendingCheckIn(number, Who(person), receipt, timeProvider.GetTimestamp());
            Interlocked.Increment(ref _committed);
            if (arguments.TraceCommits)
            {
                output.WriteLine($"committed {receipt.RecordId} seq={receipt.Seq}");
            }

            await Task.Delay(arguments.Interval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// <c>--screen</c>: the person at the kiosk is whoever opens the printed URL. Each time the screen starts a check-in, the
    /// next roster person's card and face are presented to the simulated reader and camera (as a simulated visitor's are),
    /// and taken away when the session ends; the other simulated devices answer by themselves. Runs until Ctrl+C.
    /// </summary>
    private async Task<int> ServeScreenAsync(IHost agent, CancellationToken cancellationToken)
    {
        var services = agent.Services;
        var session = services.GetRequiredService<CheckInSession>();
        var devices = services.GetRequiredService<DeviceSet>();
        var people = SimulatedRoster.People(services.GetRequiredService<Microsoft.Extensions.Options.IOptions<KioskOptions>>().Value.Roster);
        var next = 0;
        void OnStateChanged(object? sender, SessionState state)
        {
            if (state == SessionState.Identify)
            {
                var person = people[next++ % people.Count];
                (devices.IdCardReader as SimulatedIdCardReader)?.PresentCard(person.Card);
                (devices.FaceCamera as SimulatedFaceCamera)?.PresentFace(person.FaceSourceId, person.Presentation);
            }
            else if (state == SessionState.Idle)
            {
                (devices.IdCardReader as SimulatedIdCardReader)?.PresentCard(null);
                (devices.FaceCamera as SimulatedFaceCamera)?.PresentFace(null);
            }
        }

        session.StateChanged += OnStateChanged;
        var address = services.GetRequiredService<LocalApiServer>().Address;
        if (address is null)
        {
            output.WriteLine("demo: the local API is disabled, so there is no screen to serve");
            await agent.StopAsync(CancellationToken.None).ConfigureAwait(false);
            return 1;
        }

        output.WriteLine($"screen: {services.GetRequiredService<ScreenAccess>().ScreenUrl(address)}");
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            output.WriteLine("demo: stopping the screen; anything not yet acknowledged stays in the outbox for the next run");
        }
        finally
        {
            session.StateChanged -= OnStateChanged;
        }

        await agent.StopAsync(CancellationToken.None).ConfigureAwait(false);
        return 0;
    }

    private void OnAcknowledged(object? sender, RecordAcknowledgedEventArgs e)
    {
        if (!_pending.TryRemove(e.RecordId, out var checkIn))
        {
            return;
        }

        _acknowledged[e.RecordId] = 0;
        var ackMs = TimeProvider.System.GetElapsedTime(checkIn.CommittedAt).TotalMilliseconds;
        var steps = string.Join("+", checkIn.Receipt.Steps.Select(s => s.WireName()));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  #{checkIn.Number,-3} {checkIn.Who,-14} {checkIn.Receipt.SupervisionLevel,-6} {steps,-72} commit {checkIn.Receipt.CommitDuration.TotalMilliseconds,5:0.0} ms  ack {ackMs,6:0} ms  seq {checkIn.Receipt.Seq}"));
        if (_pending.IsEmpty && (arguments.CheckIns is { } target && _acknowledged.Count >= target))
        {
            _allAcknowledged.TrySetResult();
        }
    }

    private static async Task WaitForDrainAsync(OutboxStore outbox, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while ((await outbox.GetTotalsAsync(cancellationToken).ConfigureAwait(false)).Records > 0 && DateTime.UtcNow < deadline)
        {
            // The backlog of an earlier run drains on its own; the demo only waits to report it.
            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A duplicate is the same check-in stored twice: two platform rows with one kiosk seq.</summary>
    private static async Task<int> CountDuplicatesAsync(CentralPlatform central)
    {
        var stored = await central.GetStoredRecordsAsync(CancellationToken.None).ConfigureAwait(false);
        return stored.Where(r => r.KioskId == KioskId && r.SiteId == SiteId).GroupBy(r => r.Seq).Sum(g => g.Count() - 1);
    }

    private static string Who(SimulatedPerson person) => $"{person.Card.Name[..1]}* (…{person.Card.IdNumber[^4..]})";

    private static (string Host, int Port) ParseBroker(string value)
    {
        var colon = value.LastIndexOf(':');
        return colon > 0 && int.TryParse(value[(colon + 1)..], CultureInfo.InvariantCulture, out var port)
            ? (value[..colon], port)
            : throw new ArgumentException($"--broker '{value}' is not HOST:PORT");
    }
}
