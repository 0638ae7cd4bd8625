using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Kiosk.Agent.Consent;
using Kiosk.Agent.Configuration;
using Kiosk.Agent.Devices;
using Kiosk.Agent.Session;
using Kiosk.Simulation;
using Kiosk.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Kiosk.Agent.Tests.Consent;

/// <summary>The consent store: durable across restarts, keyed by the kiosk's secret, started afresh when damaged.</summary>
public sealed class ConsentStoreTests
{
    private static readonly ConsentScope Scope = new([BiometricCapture.Face, BiometricCapture.Signature], 90, ConsentScope.CurrentTextVersion);
    private static readonly DateTimeOffset GivenAt = new(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);

    private TempFolder _folder = null!;
    private byte[] _key = null!;

    [SetUp]
    public void SetUp()
    {
        _folder = new TempFolder("consent");
        _key = RandomNumberGenerator.GetBytes(32);
    }

    [TearDown]
    public void TearDown() => _folder.Dispose();

    private string Path => _folder.File(ConsentStore.FileName);

    [Test]
    public async Task A_consent_kept_is_found_after_the_store_is_opened_again_and_withdrawing_removes_it()
    {
        using (var store = ConsentStore.Open(Path, _key))
        {
            await store.SaveAsync("P0001", Scope, GivenAt, CancellationToken.None);
        }

        using (var store = ConsentStore.Open(Path, _key))
        {
            Assert.That(await store.FindAsync("P0001", CancellationToken.None), Is.EqualTo(new ConsentOnFile(Scope, GivenAt)));
            Assert.That(await store.FindAsync("P0002", CancellationToken.None), Is.Null);
            Assert.That(await store.WithdrawAsync("P0001", CancellationToken.None), Is.True);
            Assert.That(new FileInfo(Path + "-wal").Length, Is.Zero, "the open store's WAL holds no earlier page of the withdrawn row");
            Assert.That(await store.WithdrawAsync("P0001", CancellationToken.None), Is.False, "nothing left to withdraw");
        }

        using (var store = ConsentStore.Open(Path, _key))
        {
            Assert.That(await store.FindAsync("P0001", CancellationToken.None), Is.Null);
        }
    }

    [Test]
    public async Task Another_kiosk_key_finds_nothing()
    {
        using (var store = ConsentStore.Open(Path, _key))
        {
            await store.SaveAsync("P0001", Scope, GivenAt, CancellationToken.None);
        }

        using var other = ConsentStore.Open(Path, RandomNumberGenerator.GetBytes(32));
        Assert.That(await other.FindAsync("P0001", CancellationToken.None), Is.Null, "a row names no one without this kiosk's key");
        Assert.That(await other.CountAsync(CancellationToken.None), Is.EqualTo(1));
    }

    [Test]
    public async Task A_damaged_file_is_started_afresh()
    {
        await File.WriteAllBytesAsync(Path, RandomNumberGenerator.GetBytes(8192));

        using var store = ConsentStore.Open(Path, _key);

        Assert.That(await store.CountAsync(CancellationToken.None), Is.Zero);
        await store.SaveAsync("P0001", Scope, GivenAt, CancellationToken.None);
        Assert.That(await store.FindAsync("P0001", CancellationToken.None), Is.Not.Null);
    }

    [Test]
    public void The_screen_shows_the_consent_text_version_the_agent_records()
    {
        var script = File.ReadAllText(System.IO.Path.Combine(RepositoryPaths.Root, "agent", "Kiosk.Agent", "LocalApi", "Screen", "screen.js"));
        var declared = Regex.Match(script, @"const CONSENT_TEXT_VERSION = (\d+);");
        Assert.That(declared.Success, Is.True, "screen.js declares CONSENT_TEXT_VERSION");
        Assert.That(int.Parse(declared.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(ConsentScope.CurrentTextVersion));
    }

    [Test]
    public async Task A_consent_survives_an_agent_restart()
    {
        var data = _folder.File("agent");
        await using (var agent = new TestAgent(FreePort.Next(), data))
        {
            await agent.StartAsync();
            var person = SimulatedRoster.People(agent.Services.GetRequiredService<IOptions<KioskOptions>>().Value.Roster)[0];
            var (outcome, receipt) = await SimulatedVisitor.CheckInAsync(agent.Session, agent.Services.GetRequiredService<DeviceSet>(), person, CancellationToken.None);
            Assert.That(receipt, Is.Not.Null, outcome.Message);
        }

        await using (var agent = new TestAgent(FreePort.Next(), data))
        {
            await agent.StartAsync();
            var person = SimulatedRoster.People(agent.Services.GetRequiredService<IOptions<KioskOptions>>().Value.Roster)[0];
            (agent.Services.GetRequiredService<DeviceSet>().IdCardReader as Kiosk.Devices.Simulated.SimulatedIdCardReader)!.PresentCard(person.Card);
            Assert.That((await agent.Session.StartAsync(CancellationToken.None)).Result, Is.EqualTo(StepResult.Completed));
            Assert.That((await agent.Session.ReadIdCardAsync(CancellationToken.None)).Result, Is.EqualTo(StepResult.Completed));

            Assert.That(agent.Session.State, Is.EqualTo(SessionState.Consent));
            Assert.That(agent.Session.ConsentQuestion!.IsNotice, Is.True, "the consent given before the restart is on file");
            agent.Session.Reset();
        }
    }
}
