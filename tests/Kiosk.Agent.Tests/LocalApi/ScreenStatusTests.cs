using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Kiosk.TestSupport;

namespace Kiosk.Agent.Tests.LocalApi;

/// <summary><c>GET /api/screen/status</c>: whether the kiosk can take a check-in, and why not in words the screen can say.</summary>
public sealed class ScreenStatusTests
{
    private static async Task<JsonObject> StatusAsync(Dictionary<string, string?> overrides)
    {
        using var folder = new TempFolder("screen-status");
        // No broker listens there: availability does not depend on the platform being reachable.
        await using var agent = new TestAgent(FreePort.Next(), folder.File("agent"), overrides);
        await agent.StartAsync();
        using var api = agent.ApiClient();
        return (await api.GetFromJsonAsync<JsonObject>("/api/screen/status"))!;
    }

    private static List<string> Strings(JsonNode? array) => [.. array!.AsArray().Select(n => n!.GetValue<string>())];

    [Test]
    public async Task An_enrolled_kiosk_with_its_devices_and_roster_is_available()
    {
        var status = await StatusAsync([]);
        Assert.That((bool)status["available"]!, Is.True, status.ToJsonString());
        Assert.That(Strings(status["reasons"]), Is.Empty);
    }

    [Test]
    public async Task Without_the_platform_signing_key_the_kiosk_is_not_enrolled()
    {
        var status = await StatusAsync(new() { ["Kiosk:Provisioning:CommandSigningKeyFile"] = "" });
        Assert.That((bool)status["available"]!, Is.False);
        Assert.That(Strings(status["reasons"]), Does.Contain("notEnrolled"));
    }

    [Test]
    public async Task A_device_every_level_needs_closes_the_kiosk_and_is_named()
    {
        // Both configured levels start with the face: without a face camera nobody can check in here.
        var status = await StatusAsync(new() { ["Kiosk:Devices:FaceCamera"] = "None" });
        Assert.That((bool)status["available"]!, Is.False);
        Assert.That(Strings(status["reasons"]), Is.EqualTo(new[] { "deviceUnavailable" }));
        Assert.That(Strings(status["devices"]), Is.EqualTo(new[] { "faceCamera" }));
    }

    [Test]
    public async Task A_device_only_some_levels_need_leaves_the_kiosk_open_for_the_others()
    {
        // Only the strict level takes a fingerprint: people at the normal level can still check in.
        var status = await StatusAsync(new() { ["Kiosk:Devices:FingerprintReader"] = "None" });
        Assert.That((bool)status["available"]!, Is.True, status.ToJsonString());
        Assert.That(Strings(status["devices"]), Is.Empty);
    }
}
