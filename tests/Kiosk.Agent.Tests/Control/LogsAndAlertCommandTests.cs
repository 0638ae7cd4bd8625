using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Kiosk.Agent.Session;
using Kiosk.Central.Commanding;
using Kiosk.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

#pragma warning disable CA1848 // Tests write arbitrary log lines to see what the file keeps.

namespace Kiosk.Agent.Tests.Control;

/// <summary><c>cmd/logs</c> and <c>cmd/alert-disposition</c> against a real Mosquitto and the central simulator.</summary>
public sealed class LogsAndAlertCommandTests
{
    [Test]
    public async Task TheLogArrivesAsAnAttachmentScrubbedOfIdNumbersAndSecrets()
    {
        await using var testbed = await Testbed.StartAsync("cmd-logs");
        await using var agent = testbed.Agent("logs", new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Information" });
        await agent.StartAsync();
        await Eventually.TrueAsync(() => agent.Status.LastConnectedAt is not null, "connected");
        agent.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Kiosk.Test")
            .LogWarning("a driver quoted card 11010119900307123X and token=s3cr3t-value in its error");

        var result = await RunAsync(testbed, "logs", new JsonObject { ["hours"] = 2 });

        Assert.That(result.Status, Is.EqualTo("done"), result.Message);
        Assert.That((int?)result.Detail?["hours"], Is.EqualTo(2));
        Assert.That((int?)result.Detail?["lines"], Is.GreaterThan(0));
        byte[]? log = null;
        await Eventually.TrueAsync(async () => (log = await testbed.Central.GetAttachmentAsync(result.RecordId, "agent-log", CancellationToken.None)) is not null, "the log attachment arrived");
        var text = Encoding.UTF8.GetString(log!);
        Assert.That(text, Does.Contain("a driver quoted card [redacted]").And.Contain("token=[redacted]"));
        Assert.That(text, Does.Not.Contain("11010119900307123X").And.Not.Contain("s3cr3t"));
        Assert.That(log!.Length, Is.EqualTo((int?)result.Detail?["bytes"]));
    }

    [Test]
    public async Task HoursOutsideTheRangeAreRefused()
    {
        await using var testbed = await Testbed.StartAsync("cmd-logs-range");
        await using var agent = testbed.Agent("logs-range");
        await agent.StartAsync();

        var result = await RunAsync(testbed, "logs", new JsonObject { ["hours"] = 73 });

        Assert.That(result.Status, Is.EqualTo("refused"));
        Assert.That(result.Message, Does.Contain("'hours'").And.Contain("1..72"));
    }

    [Test]
    public async Task AnAcknowledgedCallForStaffIsShownUntilTheSessionEndsAndUnknownAlertsAreStillRecorded()
    {
        await using var testbed = await Testbed.StartAsync("cmd-alert");
        await using var agent = testbed.Agent("alert");
        await agent.StartAsync();
        using var api = agent.ApiClient();
        await agent.Session.StartAsync(CancellationToken.None);
        await agent.Session.CallStaffAsync("help please", CancellationToken.None);
        string? alertId = null;
        await Eventually.TrueAsync(
            async () => (alertId = (await testbed.Central.GetStoredRecordsAsync(CancellationToken.None)).FirstOrDefault(r => r.Kind == "alert" && r.Json.Contains("callStaff", StringComparison.Ordinal))?.RecordId) is not null,
            "the call-staff alert reached the platform");
        Assert.That(await NoticeAsync(api), Is.Null);

        var acknowledged = await RunAsync(testbed, "alert-disposition", new JsonObject { ["alertRecordId"] = alertId, ["disposition"] = "acknowledged", ["by"] = "王警官", ["note"] = "on my way" });

        Assert.That(acknowledged.Status, Is.EqualTo("done"), acknowledged.Message);
        Assert.That((bool?)acknowledged.Detail?["shownOnScreen"], Is.True);
        Assert.That((string?)acknowledged.Detail?["alertType"], Is.EqualTo("callStaff"));
        Assert.That(acknowledged.Detail!.ToJsonString(), Does.Not.Contain("王警官").And.Not.Contain("on my way"), "staff's name and note are not echoed");
        Assert.That(await NoticeAsync(api), Is.EqualTo(CheckInSession.StaffComingNotice));

        await agent.Session.CancelAsync(CancellationToken.None);
        Assert.That(await NoticeAsync(api), Is.Null, "cleared when the session ends");

        var unknown = await RunAsync(testbed, "alert-disposition", new JsonObject { ["alertRecordId"] = Guid.NewGuid().ToString("D"), ["disposition"] = "resolved" });
        Assert.That(unknown.Status, Is.EqualTo("done"));
        Assert.That((bool?)unknown.Detail?["alertKnown"], Is.False);
        Assert.That(unknown.Message, Does.Contain("does not know"));

        var bad = await RunAsync(testbed, "alert-disposition", new JsonObject { ["alertRecordId"] = alertId, ["disposition"] = "ignored" });
        Assert.That(bad.Status, Is.EqualTo("refused"));
        Assert.That(bad.Message, Does.Contain("'disposition'"));
    }

    private static async Task<string?> NoticeAsync(HttpClient api) =>
        (string?)(await api.GetFromJsonAsync<JsonObject>("/api/session"))?["notice"];

    private static async Task<CommandResultView> RunAsync(Testbed testbed, string name, JsonObject arguments)
    {
        var commandId = await testbed.Central.SendCommandAsync("site-t", "kiosk-t", name, arguments, CancellationToken.None);
        using var wait = new CancellationTokenSource(Eventually.DefaultBound);
        return await testbed.Central.WaitForCommandResultAsync(commandId, wait.Token);
    }
}
