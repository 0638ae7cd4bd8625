using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Kiosk.Agent.Hosting;
using Kiosk.Agent.LocalApi;
using Kiosk.Agent.Outbox;
using Kiosk.Agent.Tests.Sync;
using Kiosk.Central;
using Kiosk.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Kiosk.Agent.Tests.LocalApi;

/// <summary>The local API of a whole in-process agent, against a real Mosquitto and the central simulator.</summary>
public sealed class LocalApiTests
{
    private Testbed _testbed = null!;
    private MosquittoBroker _broker = null!;
    private TempFolder _folder = null!;
    private CentralPlatform _central = null!;
    private HttpClient _http = null!;

    [SetUp]
    public async Task SetUp()
    {
        _testbed = await Testbed.StartAsync("local-api");
        (_broker, _folder, _central) = (_testbed.Broker, _testbed.Folder, _testbed.Central);
        _http = LocalApiHttp.Client(DataFolder);
    }

    [TearDown]
    public async Task TearDown()
    {
        _http.Dispose();
        await _testbed.DisposeAsync();
    }

    private string DataFolder => _folder.File("agent");

    private TestAgent Agent(IDictionary<string, string?>? overrides = null) => new(_broker.Port, DataFolder, overrides);

    /// <summary>The URL the running agent wrote to its data folder: how kioskctl finds it.</summary>
    private Uri Api(string path) => new(LocalApiUrlFile.Read(DataFolder) ?? throw new AssertionException("the agent wrote no local-api.url"), path);

    private async Task<AgentStatusReport> StatusAsync() =>
        (await _http.GetFromJsonAsync<AgentStatusReport>(Api("/api/status"), LocalApiJson.Options))!;

    private static NewRecord CheckIn(int n, params NewAttachment[] attachments) =>
        new(RecordKind.CheckIn, new JsonObject { ["n"] = n, ["person"] = new JsonObject { ["idNumber"] = "110101199003074578" } }) { Attachments = attachments };

    [Test]
    public async Task The_API_listens_on_loopback_only_and_says_where_in_the_data_folder()
    {
        int port;
        await using (var agent = Agent())
        {
            await agent.StartAsync();
            var address = agent.Services.GetRequiredService<LocalApiServer>().Address!;
            var published = LocalApiUrlFile.Read(DataFolder);
            port = address.Port;
            Assert.Multiple(() =>
            {
                Assert.That(published, Is.EqualTo(address), "local-api.url holds the address actually bound");
                Assert.That(IPAddress.IsLoopback(IPAddress.Parse(address.Host)), Is.True, address.ToString());
                Assert.That(port, Is.Not.Zero, "port 0 in the configuration became a real port");
            });

            // Every address of this machine that is not loopback must refuse the port.
            var outside = NetworkInterface.GetAllNetworkInterfaces()
                .Where(n => n.OperationalStatus == OperationalStatus.Up)
                .SelectMany(n => n.GetIPProperties().UnicastAddresses)
                .Select(a => a.Address)
                .Where(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
                .ToList();
            foreach (var lan in outside)
            {
                using var client = new TcpClient();
                Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(lan, port), $"{lan}:{port} must not answer");
            }

            var status = await StatusAsync();
            Assert.That(status.SiteId, Is.EqualTo("site-t"));
        }

        Assert.That(File.Exists(LocalApiUrlFile.PathIn(DataFolder)), Is.False, "a clean stop removes local-api.url");
    }

    [Test]
    public async Task Status_reflects_a_real_commit_and_a_real_acknowledgement()
    {
        _central.AcknowledgementsPaused = true;
        await using var agent = Agent();
        await agent.StartAsync();
        await Eventually.TrueAsync(async () => (await StatusAsync()).Broker.Connected);

        var receipt = await agent.CommitAsync(CheckIn(1));
        // In flight once the broker has accepted it: sent, and waiting for the platform.
        await Eventually.TrueAsync(async () => (await StatusAsync()).Sync.InFlight >= 1);
        var waiting = await StatusAsync();
        Assert.Multiple(() =>
        {
            Assert.That(waiting.SiteId, Is.EqualTo("site-t"));
            Assert.That(waiting.KioskId, Is.EqualTo("kiosk-t"));
            Assert.That(waiting.Profile, Is.EqualTo("demo"));
            Assert.That(waiting.BootId, Is.EqualTo(agent.Services.GetRequiredService<AgentIdentity>().BootId));
            Assert.That(waiting.AgentVersion, Is.EqualTo(AgentIdentity.AgentVersion));
            Assert.That(waiting.Outbox.Records, Is.EqualTo(1));
            Assert.That(waiting.Outbox.CheckIns, Is.EqualTo(1));
            Assert.That(waiting.Outbox.OldestCreatedAt, Is.EqualTo(receipt.CommittedAt).Within(TimeSpan.FromMilliseconds(1)));
            Assert.That(waiting.Outbox.BudgetBytes, Is.EqualTo(2L * 1024 * 1024 * 1024));
            Assert.That(waiting.Sync.InFlight, Is.EqualTo(1), "sent, waiting for the platform");
            Assert.That(waiting.Sync.Published, Is.EqualTo(1));
            Assert.That(waiting.Sync.Acknowledged, Is.Zero);
            Assert.That(waiting.Broker.Connected, Is.True);
            Assert.That(waiting.Broker.Port, Is.EqualTo(_broker.Port));
            Assert.That(waiting.Broker.LastConnectedAt, Is.Not.Null);
            Assert.That(waiting.Broker.Connections, Is.EqualTo(1));
            Assert.That(waiting.Devices.Select(d => d.Name).ToList(), Has.Member("faceCamera").And.Member("idCardReader").And.Count.EqualTo(10));
            Assert.That(waiting.Healthy, Is.True, string.Join("; ", waiting.Problems));
        });

        // The platform stored it while not acknowledging; a retry sends it again at once instead of after the ack timeout.
        _central.AcknowledgementsPaused = false;
        var acknowledged = agent.WaitAcknowledgedAsync([receipt.RecordId]);
        (await _http.PostAsync(Api("/api/queue/retry"), content: null)).Dispose();
        await acknowledged;
        var done = await StatusAsync();
        Assert.Multiple(() =>
        {
            Assert.That(done.Outbox.Records, Is.Zero);
            Assert.That(done.Outbox.OldestCreatedAt, Is.Null);
            Assert.That(done.Sync.Acknowledged, Is.EqualTo(1));
            Assert.That(done.Sync.InFlight, Is.Zero);
            Assert.That(done.ClockOffsetMs, Is.Not.Null, "learned from the platform's ack");
            Assert.That(done.UptimeS, Is.GreaterThan(0));
        });
    }

    [Test]
    public async Task Status_says_what_is_degraded_when_the_broker_is_gone()
    {
        await using var agent = Agent();
        await agent.StartAsync();
        await Eventually.TrueAsync(async () => (await StatusAsync()).Broker.Connected);
        await _broker.StopAsync();
        await Eventually.TrueAsync(async () => !(await StatusAsync()).Broker.Connected);
        var status = await StatusAsync();
        Assert.That(status.Healthy, Is.False);
        Assert.That(status.Problems, Has.Some.StartsWith($"not connected to the broker 127.0.0.1:{_broker.Port}"));
    }

    [Test]
    public async Task The_queue_lists_what_waits_with_attachment_metadata_and_never_content_or_personal_data()
    {
        _central.AcknowledgementsPaused = true;
        var face = new byte[70_000];
        Array.Fill(face, (byte)'F');
        await using var agent = Agent();
        await agent.StartAsync();
        var first = await agent.CommitAsync(CheckIn(1, NewAttachment.FromBytes("face", "image/jpeg", face, biometric: true), NewAttachment.FromBytes("scan", "image/png", new byte[10], biometric: false)));
        var second = await agent.CommitAsync(CheckIn(2));
        await Eventually.TrueAsync(async () => (await StatusAsync()).Sync.InFlight == 2);

        var text = await _http.GetStringAsync(Api("/api/queue?limit=1"));
        var queue = System.Text.Json.JsonSerializer.Deserialize<QueueReport>(text, LocalApiJson.Options)!;
        Assert.Multiple(() =>
        {
            Assert.That(queue.Records, Is.EqualTo(2));
            Assert.That(queue.Items, Has.Count.EqualTo(1), "limit=1");
            var item = queue.Items[0];
            Assert.That(item.RecordId, Is.EqualTo(first.RecordId));
            Assert.That(item.Seq, Is.EqualTo(first.Seq));
            Assert.That(item.Kind, Is.EqualTo("checkin"));
            Assert.That(item.InFlight, Is.True);
            Assert.That(item.Attachments.Select(a => (a.AttachmentId, a.ContentType, a.Length, a.Biometric, a.Sealed)),
                Is.EqualTo(new[] { ("face", "image/jpeg", 70_000L, true, true), ("scan", "image/png", 10L, false, true) }));
            Assert.That(text, Does.Not.Contain("110101199003074578"), "no record body, so no ID number");
            Assert.That(text, Does.Not.Contain("RkZGRkZG"), "no attachment bytes (base64 of FFFFFF)");
        });

        var all = (await _http.GetFromJsonAsync<QueueReport>(Api("/api/queue"), LocalApiJson.Options))!;
        Assert.That(all.Items.Select(i => i.RecordId), Is.EqualTo(new[] { first.RecordId, second.RecordId }));
    }

    [Test]
    public async Task Retry_sends_unacknowledged_records_again_at_once_instead_of_after_the_ack_timeout()
    {
        _central.AcknowledgementsPaused = true;
        var deliveries = new ConcurrentDictionary<string, int>();
        _central.RecordStored += (_, e) => deliveries.AddOrUpdate(e.RecordId, 1, (_, n) => n + 1);
        await using var agent = Agent(new Dictionary<string, string?> { ["Kiosk:Sync:AckTimeout"] = "00:10:00" });
        await agent.StartAsync();
        var receipts = new[] { await agent.CommitAsync(CheckIn(1)), await agent.CommitAsync(CheckIn(2, NewAttachment.FromBytes("face", "image/jpeg", new byte[200_000], biometric: true))) };
        await Eventually.TrueAsync(() => Task.FromResult(receipts.All(r => deliveries.GetValueOrDefault(r.RecordId) == 1)));
        Assert.That(agent.Status.RecordsResent, Is.Zero, "nothing is resent before the 10 min ack timeout");

        using var response = await _http.PostAsync(Api("/api/queue/retry"), content: null);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var retry = (await response.Content.ReadFromJsonAsync<RetryReport>(LocalApiJson.Options))!;
        Assert.That(retry.Requeued, Is.EqualTo(2));
        Assert.That(retry.Connected, Is.True);

        await Eventually.TrueAsync(() => Task.FromResult(receipts.All(r => deliveries.GetValueOrDefault(r.RecordId) >= 2)));
        Assert.That(agent.Status.RecordsResent, Is.GreaterThanOrEqualTo(2));

        _central.AcknowledgementsPaused = false;
        var acknowledged = agent.WaitAcknowledgedAsync(receipts.Select(r => r.RecordId));
        (await _http.PostAsync(Api("/api/queue/retry"), content: null)).Dispose();
        await acknowledged;
        Assert.That((await StatusAsync()).Outbox.Records, Is.Zero);
    }

    [TestCase("GET", "/api/queue?limit=abc", HttpStatusCode.BadRequest)]
    [TestCase("GET", "/api/queue?limit=0", HttpStatusCode.BadRequest)]
    [TestCase("GET", "/api/queue?limit=-3", HttpStatusCode.BadRequest)]
    [TestCase("GET", "/api/queue?limit=10001", HttpStatusCode.BadRequest)]
    [TestCase("GET", "/api/queue?limit=1&limit=2", HttpStatusCode.BadRequest)]
    [TestCase("GET", "/api/queue/retry", HttpStatusCode.MethodNotAllowed)]
    [TestCase("POST", "/api/status", HttpStatusCode.MethodNotAllowed)]
    [TestCase("DELETE", "/api/queue", HttpStatusCode.MethodNotAllowed)]
    [TestCase("GET", "/api/records/1", HttpStatusCode.NotFound)]
    public async Task Malformed_requests_get_a_4xx(string method, string path, HttpStatusCode expected)
    {
        await using var agent = Agent();
        await agent.StartAsync();
        using var request = new HttpRequestMessage(new HttpMethod(method), Api(path));
        using var response = await _http.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(expected), await response.Content.ReadAsStringAsync());
        if (expected == HttpStatusCode.BadRequest)
        {
            var error = await response.Content.ReadFromJsonAsync<LocalApiError>(LocalApiJson.Options);
            Assert.That(error!.Message, Does.Contain("limit").And.Contain("1 to 10000"));
        }
    }

    [Test]
    public async Task Requests_naming_another_host_or_sent_from_another_site_are_refused()
    {
        _central.AcknowledgementsPaused = true;
        await using var agent = Agent(new Dictionary<string, string?> { ["Kiosk:Sync:AckTimeout"] = "00:10:00" });
        await agent.StartAsync();
        await agent.CommitAsync(CheckIn(1));
        await Eventually.TrueAsync(async () => (await StatusAsync()).Sync.InFlight == 1);

        // DNS rebinding: a page of evil.example resolved to 127.0.0.1 sends Host: evil.example.
        using (var rebound = new HttpRequestMessage(HttpMethod.Get, Api("/api/status")))
        {
            rebound.Headers.Host = "evil.example";
            using var response = await _http.SendAsync(rebound);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        }

        // A form on another site posting to the API: the browser sends its Origin.
        using (var crossSite = new HttpRequestMessage(HttpMethod.Post, Api("/api/queue/retry")))
        {
            crossSite.Headers.Add("Origin", "http://evil.example");
            using var response = await _http.SendAsync(crossSite);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        }

        Assert.That((await StatusAsync()).Sync.InFlight, Is.EqualTo(1), "the refused retry released nothing");

        // The kiosk screen, served from the API's own origin, may post.
        using var sameOrigin = new HttpRequestMessage(HttpMethod.Post, Api("/api/queue/retry"));
        sameOrigin.Headers.Add("Origin", Api("/").GetLeftPart(UriPartial.Authority));
        using var allowed = await _http.SendAsync(sameOrigin);
        Assert.That(allowed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_port_another_program_holds_stops_the_agent_saying_so_instead_of_running_without_its_API()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;
        await using var agent = Agent(new Dictionary<string, string?> { ["Kiosk:LocalApi:Url"] = $"http://127.0.0.1:{port}" });

        var refused = Assert.ThrowsAsync<LocalApiUnavailableException>(agent.StartAsync);

        Assert.That(refused!.Message, Does.Contain($"127.0.0.1:{port}").And.Contain("another program holds the port").And.Contain("Kiosk:LocalApi:Url"));
        Assert.That(File.Exists(LocalApiUrlFile.PathIn(DataFolder)), Is.False);
        Assert.That(File.Exists(LocalApiToken.PathIn(DataFolder)), Is.False, "no token is left for a squatter to be given");
    }

    [Test]
    public async Task A_kiosk_without_a_roster_says_so_and_refuses_a_check_in_with_an_alert()
    {
        await using var agent = Agent(new Dictionary<string, string?> { ["Kiosk:Roster:SimulatedPeople"] = "0" });
        await agent.StartAsync();
        var receipt = await agent.CommitAsync(CheckIn(1));
        await agent.WaitAcknowledgedAsync([receipt.RecordId]);

        var status = await StatusAsync();
        Assert.That(status.Roster.Loaded, Is.False);
        Assert.That(status.Problems, Has.Some.StartsWith("no roster"));
        Assert.That(status.Healthy, Is.False);

        var reader = (Kiosk.Devices.Simulated.SimulatedIdCardReader)agent.Services.GetRequiredService<Kiosk.Agent.Devices.DeviceSet>().IdCardReader;
        reader.PresentCard(Kiosk.Devices.Simulated.SimulatedPeople.Generate(1, 1)[0].Card);
        Assert.That((await agent.Session.StartAsync(CancellationToken.None)).Result, Is.EqualTo(Kiosk.Agent.Session.StepResult.Completed));
        var refused = await agent.Session.RunStepAsync(Kiosk.Agent.Configuration.CheckInStep.IdCard, null, CancellationToken.None);
        Assert.That(refused.Result, Is.EqualTo(Kiosk.Agent.Session.StepResult.Rejected));
        Assert.That(refused.Message, Does.Contain("see staff"));
        await Eventually.TrueAsync(async () => (await _central.GetStoredRecordsAsync(CancellationToken.None)).Any(r => r.Kind == "alert" && r.Json.Contains("noRoster", StringComparison.Ordinal)), "the noRoster alert reached the platform");
    }

    [Test]
    public async Task A_caller_without_this_runs_token_gets_401_and_nothing_else()
    {
        await using var agent = Agent();
        await agent.StartAsync();
        using var anonymous = new HttpClient();

        using var missing = await anonymous.GetAsync(Api("/api/status"));
        using var wrong = new HttpRequestMessage(HttpMethod.Post, Api("/api/session/call-staff"));
        wrong.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "not-the-token");
        using var wrongAnswer = await anonymous.SendAsync(wrong);
        using var withToken = await _http.GetAsync(Api("/api/status"));

        Assert.Multiple(() =>
        {
            Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(missing.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Bearer"));
            Assert.That(wrongAnswer.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(withToken.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
        Assert.That(await agent.Outbox.GetTotalsAsync(CancellationToken.None), Has.Property("Alerts").EqualTo(0), "the refused call-staff stored nothing");
    }

    [Test]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_token_is_readable_by_the_service_and_its_group_only_and_changes_with_every_run()
    {
        string first;
        await using (var agent = Agent())
        {
            await agent.StartAsync();
            first = LocalApiToken.Read(DataFolder)!;
            Assert.That(File.GetUnixFileMode(LocalApiToken.PathIn(DataFolder)), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead));
            Assert.That(first, Has.Length.GreaterThanOrEqualTo(43), "256 bits");
        }

        Assert.That(File.Exists(LocalApiToken.PathIn(DataFolder)), Is.False, "a clean stop removes it");
        await using (var again = Agent())
        {
            await again.StartAsync();
            Assert.That(LocalApiToken.Read(DataFolder), Is.Not.EqualTo(first));
            using var stale = new HttpRequestMessage(HttpMethod.Get, Api("/api/status"));
            stale.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", first);
            using var anonymous = new HttpClient();
            Assert.That((await anonymous.SendAsync(stale)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "the last run's token opens nothing");
        }
    }

    [Test]
    public async Task A_disabled_API_does_not_listen()
    {
        await using var agent = Agent(new Dictionary<string, string?> { ["Kiosk:LocalApi:Enabled"] = "false", ["Kiosk:LocalApi:Url"] = "http://0.0.0.0:80" });
        await agent.StartAsync();
        Assert.That(agent.Services.GetRequiredService<LocalApiServer>().Address, Is.Null);
        Assert.That(File.Exists(LocalApiUrlFile.PathIn(DataFolder)), Is.False);
    }
}
