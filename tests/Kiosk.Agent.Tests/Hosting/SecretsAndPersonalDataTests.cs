using System.Buffers;
using System.Collections.Concurrent;
using System.Net.Http.Json;
using Kiosk.Agent.Configuration;
using Kiosk.Agent.Devices;
using Kiosk.Agent.LocalApi;
using Kiosk.Agent.Session;
using Kiosk.Central;
using Kiosk.Devices.Simulated;
using Kiosk.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MQTTnet;

namespace Kiosk.Agent.Tests.Hosting;

/// <summary>
/// What the agent shows and logs about itself carries no secret and nothing of a person: URL credentials in a device's
/// settings are redacted wherever the device is shown, and logs carry neither ID digits nor text typed at the screen.
/// </summary>
public sealed class SecretsAndPersonalDataTests
{
    [Test]
    public async Task Credentials_in_a_device_url_appear_nowhere_the_device_is_shown()
    {
        await using var testbed = await Testbed.StartAsync("secrets");
        using var observer = await BrokerObserver.StartAsync(testbed.Port, "kiosk/v1/+/+/state");

        var log = new LogRecorder();
        var port = FreePort.Next();
        await using var agent = testbed.Agent(overrides: new Dictionary<string, string?>
        {
            ["Kiosk:Devices:DocumentCamera"] = "OpenCv",
            ["Kiosk:Devices:DocumentOpenCv:Source"] = $"rtsp://admin:camera-secret@127.0.0.1:{port}/stream",
            ["Kiosk:Devices:DocumentScanner"] = "Escl",
            ["Kiosk:Devices:Escl:BaseUri"] = $"http://scanner:scanner-secret@127.0.0.1:{port}/eSCL",
            ["Logging:LogLevel:Default"] = "Trace",
        }, configure: builder => builder.Logging.AddProvider(log));
        await agent.StartAsync();
        await Eventually.TrueAsync(() => observer.Messages.Any(m => m.Text.Contains("\"online\":true", StringComparison.Ordinal)), "the birth message");
        using var http = LocalApiHttp.Client(agent.DataFolder);
        var status = await http.GetStringAsync(new Uri(agent.LocalApi!, "/api/status"));

        var shown = string.Join("\n", observer.Messages.Select(m => m.Text).Concat([status]).Concat(log.Lines));
        Assert.That(shown, Does.Not.Contain("camera-secret").And.Not.Contain("scanner-secret"));
        Assert.That(status, Does.Contain("***@127.0.0.1"), "the device is still shown, without its credentials");
    }

    [Test]
    public async Task Logs_carry_neither_id_digits_nor_text_typed_at_the_screen()
    {
        await using var testbed = await Testbed.StartAsync("pii-logs");
        var log = new LogRecorder();
        await using var agent = testbed.Agent(overrides: new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Trace" }, configure: builder => builder.Logging.AddProvider(log));
        await agent.StartAsync();
        var stranger = SimulatedPeople.Generate(7, 30)[29].Card;
        var reader = (SimulatedIdCardReader)agent.Services.GetRequiredService<DeviceSet>().IdCardReader;

        // A person not on the roster presents a card: an alert names the card's last digits; the log must not.
        reader.PresentCard(stranger);
        await agent.Session.StartAsync(CancellationToken.None);
        Assert.That((await agent.Session.RunStepAsync(CheckInStep.IdCard, null, CancellationToken.None)).Result, Is.EqualTo(StepResult.Rejected));
        agent.Session.Reset();

        // Someone types their ID number into the call-staff reason.
        const string Typed = "please help, my id is 110101199003074578 and my name is 张三";
        using var http = LocalApiHttp.Client(agent.DataFolder);
        using var called = await http.PostAsJsonAsync(new Uri(agent.LocalApi!, "/api/session/call-staff"), new { reason = Typed });
        Assert.That(called.IsSuccessStatusCode, Is.True);
        await Eventually.TrueAsync(async () => (await testbed.Central.GetStoredRecordsAsync(CancellationToken.None)).Count(r => r.Kind == "alert") >= 2, "both alerts reach the platform");

        var lines = string.Join("\n", log.Lines);
        Assert.That(lines, Does.Contain("callStaff").And.Contain("unknownPerson"), "the alerts are logged, by type");
        Assert.That(lines, Does.Not.Contain(stranger.IdNumber).And.Not.Contain("ending " + stranger.IdNumber[^4..]).And.Not.Contain("110101199003074578").And.Not.Contain("张三").And.Not.Contain(stranger.Name));
    }
}
