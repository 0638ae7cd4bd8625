using System.Net;
using Kiosk.TestSupport;

namespace Kiosk.Agent.Tests.LocalApi;

/// <summary>
/// The installed screen's way in (deploy/README.md, "The screen.url contract"): with a <c>screen</c> folder in the data
/// folder the agent writes the screen's URL with a one-time code there, and a fresh one once that code was used.
/// </summary>
public sealed class ScreenUrlFileTests
{
    private static string UrlFile(string dataFolder) => Path.Combine(dataFolder, "screen", "screen.url");

    [Test]
    public async Task The_agent_writes_a_one_time_screen_url_and_a_fresh_one_once_it_was_used()
    {
        using var folder = new TempFolder("screen-url");
        var data = folder.File("agent");
        Directory.CreateDirectory(Path.Combine(data, "screen"));
        await using var agent = new TestAgent(FreePort.Next(), data);
        await agent.StartAsync();
        await Eventually.TrueAsync(() => File.Exists(UrlFile(data)), "screen.url is written once the local API listens");

        var first = File.ReadAllText(UrlFile(data)).Trim();
        Assert.That(first, Does.StartWith(agent.LocalApi!.GetLeftPart(UriPartial.Authority) + "/screen/?code="));
        if (!OperatingSystem.IsWindows())
        {
            Assert.That(File.GetUnixFileMode(UrlFile(data)), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead), "0640: the screen's group reads it, nobody else");
        }

        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false });
        using (var opened = await browser.GetAsync(new Uri(first)))
        {
            Assert.That(opened.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), "the code opens the screen once");
        }

        await Eventually.TrueAsync(() => File.ReadAllText(UrlFile(data)).Trim() != first, "a fresh code replaces the used one");
        using var again = await browser.GetAsync(new Uri(first));
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "the used code does not open it twice");
    }

    [Test]
    public async Task Without_a_screen_folder_nothing_is_written()
    {
        using var folder = new TempFolder("screen-url-none");
        var data = folder.File("agent");
        await using var agent = new TestAgent(FreePort.Next(), data);
        await agent.StartAsync();
        Assert.That(agent.LocalApi, Is.Not.Null, "the local API listens (the writer starts after it)");
        Assert.That(Directory.Exists(Path.Combine(data, "screen")), Is.False);
    }
}
