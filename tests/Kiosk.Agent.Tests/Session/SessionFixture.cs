using System.Text.Json.Nodes;
using Kiosk.Agent.Configuration;
using Kiosk.Agent.Consent;
using Kiosk.Agent.Devices;
using Kiosk.Agent.Hosting;
using Kiosk.Agent.Outbox;
using Kiosk.Agent.Outbox.Encryption;
using Kiosk.Agent.Session;
using Kiosk.Devices.Simulated;
using Kiosk.Simulation;
using Kiosk.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Kiosk.Agent.Tests.Session;

/// <summary>A session over simulated devices with no delay, a fake clock, and a real outbox file and consent store.</summary>
internal sealed class SessionFixture : IAsyncDisposable
{
    private readonly TempFolder _folder = new("session");

    public SessionFixture(SessionOptions? options = null, OutboxBudget? budget = null, IRoster? roster = null, PolicyStore? policies = null, IEnumerable<KeyValuePair<string, string?>>? deviceSettings = null)
    {
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero));
        People = SimulatedPeople.Generate(1, 3);
        Devices = SimulatedDevices.Create(Time, RepositoryPaths.TestData, TimeSpan.Zero, settings: deviceSettings);
        var key = OutboxKey.LoadOrCreate(_folder.File("outbox.key"));
        Outbox = OutboxStore.Open(_folder.File("outbox.db"), Time, budget: budget, key: key);
        Consents = ConsentStore.Open(ConsentFile, key);
        Options = options ?? new SessionOptions();
        Roster = roster ?? new InMemoryRoster([
            new RosterEntry("P0001", People[0].Card.IdNumber, "normal") { EnrolledPhoto = Photo(People[0]) },
            new RosterEntry("P0002", People[1].Card.IdNumber, "strict") { EnrolledPhoto = Photo(People[1]) },
        ]);
        var identity = new AgentIdentity("site-1", "kiosk-1", "boot");
        Session = new CheckInSession(Devices, Roster, Outbox, new Alerts(Outbox, identity, NullLogger<Alerts>.Instance), Consents, Microsoft.Extensions.Options.Options.Create(Options), identity, Time, NullLogger<CheckInSession>.Instance, policies);
    }

    /// <summary>Where the consent store keeps its file.</summary>
    public string ConsentFile => _folder.File("consent.db");

    public FakeTimeProvider Time { get; }
    public IRoster Roster { get; }
    public IReadOnlyList<SimulatedPerson> People { get; }
    public DeviceSet Devices { get; }
    public OutboxStore Outbox { get; }
    public ConsentStore Consents { get; }
    public SessionOptions Options { get; }
    public CheckInSession Session { get; }

    public SimulatedPerson NormalPerson => People[0];
    public SimulatedPerson StrictPerson => People[1];
    public SimulatedPerson UnknownPerson => People[2];

    public SimulatedIdCardReader IdCardReader => (SimulatedIdCardReader)Devices.IdCardReader;
    public SimulatedFaceCamera FaceCamera => (SimulatedFaceCamera)Devices.FaceCamera;

    public async Task OpenAsync()
    {
        foreach (var device in Devices.All)
        {
            var opened = await device.OpenAsync(CancellationToken.None);
            Assert.That(opened.IsSuccess, Is.True, $"{device.Name}: {opened}");
        }
    }

    public void Present(SimulatedPerson person, string? face = null)
    {
        IdCardReader.PresentCard(person.Card);
        FaceCamera.PresentFace(face ?? person.FaceSourceId);
    }

    /// <summary>
    /// Starts and identifies; when the session then asks for consent (or shows the notice of consent on file), agrees as the
    /// person at the kiosk does, unless <paramref name="agree"/> is false. Returns the ID card step's outcome.
    /// </summary>
    public async Task<StepOutcome> IdentifyAsync(SimulatedPerson person, string? face = null, bool agree = true)
    {
        Present(person, face);
        Assert.That((await Session.StartAsync(CancellationToken.None)).Result, Is.EqualTo(StepResult.Completed));
        var read = await Session.ReadIdCardAsync(CancellationToken.None);
        if (agree && Session.State == SessionState.Consent)
        {
            var consent = await Session.ConsentAsync(ConsentChoice.Agree, CancellationToken.None);
            Assert.That(consent.Result, Is.EqualTo(StepResult.Completed), consent.Message);
        }

        return read;
    }

    public Task<StepOutcome> DoAsync(CheckInStep step) =>
        Session.RunStepAsync(step, new Dictionary<string, string> { ["residenceChanged"] = "no" }, CancellationToken.None);

    /// <summary>Does every remaining step (agreeing to consent when asked), asserting each completes; returns the steps done.</summary>
    public async Task<List<CheckInStep>> CompleteRemainingStepsAsync()
    {
        var done = new List<CheckInStep>();
        while (true)
        {
            if (Session.State == SessionState.Consent)
            {
                var consent = await Session.ConsentAsync(ConsentChoice.Agree, CancellationToken.None);
                Assert.That(consent.Result, Is.EqualTo(StepResult.Completed), $"consent: {consent.Message}");
                continue;
            }

            if (Session.NextStep is not { } step)
            {
                return done;
            }

            var outcome = await DoAsync(step);
            Assert.That(outcome.Result, Is.EqualTo(StepResult.Completed), $"{step}: {outcome.Message}");
            done.Add(step);
        }
    }

    public async Task<List<(OutboxRecord Record, JsonObject Body)>> StoredAsync()
    {
        var records = (await Outbox.ReadPendingAsync(100, new HashSet<long>(), CancellationToken.None)).Records;
        return [.. records.OrderBy(r => r.Seq).Select(r => (r, JsonNode.Parse(Outbox.OpenBody(r))!.AsObject()))];
    }

    /// <summary>The photograph the person's simulated face comes from, as their roster entry is enrolled with.</summary>
    private static ReadOnlyMemory<byte> Photo(SimulatedPerson person) => File.ReadAllBytes(RepositoryPaths.TestDataFile(person.FaceSourceId + ".png"));

    public async ValueTask DisposeAsync()
    {
        Session.Dispose();
        Consents.Dispose();
        Outbox.Dispose();
        await Devices.DisposeAsync();
        _folder.Dispose();
    }
}
