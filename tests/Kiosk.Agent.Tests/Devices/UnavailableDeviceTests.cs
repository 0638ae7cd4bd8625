using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Kiosk.Agent.Devices;
using Kiosk.Agent.LocalApi;
using Kiosk.Agent.Outbox;
using Kiosk.Agent.Tests.Sync;
using Kiosk.Central;
using Kiosk.Devices;
using Kiosk.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Kiosk.Agent.Tests.Devices;

/// <summary>A configured device whose driver cannot even be built must not keep the agent (and its backlog) down.</summary>
public sealed class UnavailableDeviceTests
{
    [Test]
    public async Task A_missing_pen_tablet_and_no_GPIO_chip_leave_the_agent_running_syncing_and_saying_what_is_wrong()
    {
        if (Directory.EnumerateFiles("/dev", "gpiochip*").Any())
        {
            Assert.Ignore("this machine has a GPIO chip; the test needs one without");
        }

        await using var testbed = await Testbed.StartAsync("unavailable");
        var folder = testbed.Folder;
        await using var agent = testbed.Agent(overrides: new Dictionary<string, string?>
        {
            ["Kiosk:Devices:SignaturePad"] = "Evdev",
            ["Kiosk:Devices:Evdev:DevicePath"] = folder.File("no-such-event-node"),
            ["Kiosk:Devices:Indicators"] = "Gpio",
        });

        await agent.StartAsync();
        var receipt = await agent.CommitAsync(new NewRecord(RecordKind.CheckIn, new JsonObject { ["n"] = 1 }));
        await agent.WaitAcknowledgedAsync([receipt.RecordId]);

        var devices = agent.Services.GetRequiredService<DeviceSet>();
        using var http = LocalApiHttp.Client(folder.File("agent"));
        var status = (await http.GetFromJsonAsync<AgentStatusReport>(new Uri(LocalApiUrlFile.Read(folder.File("agent"))!, "/api/status"), LocalApiJson.Options))!;
        var opened = await devices.SignaturePad.OpenAsync(CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(devices.Unavailable, Is.EquivalentTo(new[] { "signaturePad", "indicators" }));
            Assert.That(devices.SignaturePad.Status, Is.EqualTo(DeviceStatus.NoDevice));
            Assert.That(opened.Code, Is.EqualTo(CompletionCode.DeviceNotReady));
            Assert.That(opened.Description, Does.Contain("no-such-event-node").And.Contain("Kiosk:Devices:Evdev"));
            Assert.That(devices.FaceCamera.Status, Is.EqualTo(DeviceStatus.Online), "the other devices work");
            Assert.That(status.Devices.Single(d => d.Name == "signaturePad").Healthy, Is.False);
            Assert.That(status.Devices.Single(d => d.Name == "indicators").Status, Is.EqualTo("noDevice"));
            Assert.That(status.Healthy, Is.False);
        });
    }
}
