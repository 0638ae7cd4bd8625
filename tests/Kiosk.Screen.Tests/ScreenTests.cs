using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Kiosk.Agent.Configuration;
using Kiosk.Agent.LocalApi;
using Kiosk.Devices.Simulated;
using Kiosk.Simulation;
using Kiosk.TestSupport;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;
using NUnit.Framework;
using static Microsoft.Playwright.Assertions;

namespace Kiosk.Screen.Tests;

/// <summary>
/// The kiosk screen served by a real in-process agent (simulated devices, a generated roster of 4: person 1 is at the
/// <c>normal</c> level) in headless chromium. Every wait is on a page condition (Playwright's Expect), bounded as
/// <see cref="Eventually.DefaultBound"/>; every screen visited is saved as a screenshot attached to the test and scanned
/// by axe-core (Deque.AxeCore.Playwright), failing on any violation of impact serious or critical.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class ScreenTests
{
    private const string Chromium = "/usr/bin/chromium";
    private TempFolder? _folder;
    private TestAgent? _agent;
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private readonly List<(string Url, string? CacheControl)> _responses = [];
    private int _shot;

    private TestAgent Agent => _agent!;

    private IBrowser Browser => _browser!;

    [SetUp]
    public async Task SetUpAsync()
    {
        if (!File.Exists(Chromium))
        {
            Assert.Ignore($"{Chromium} is missing: the screen tests need Debian's chromium (./kiosk.sh test installs it; apt-get install chromium)");
        }

        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        _folder = new TempFolder("kiosk-screen");
        var overrides = new Dictionary<string, string?>();
        if (TestContext.CurrentContext.Test.Properties.ContainsKey("NoRoster"))
        {
            overrides["Kiosk:Roster:SimulatedPeople"] = "0";
        }

        if (TestContext.CurrentContext.Test.Properties.ContainsKey("ShortIdle"))
        {
            // The session gives up on a person who walked away after 2 s of no step (StepTimeout may not be longer).
            overrides["Kiosk:Session:StepTimeout"] = "00:00:02";
            overrides["Kiosk:Session:IdleTimeout"] = "00:00:02";
        }

        if (TestContext.CurrentContext.Test.Properties.ContainsKey("LiveCapture"))
        {
            // The simulated pad and microphone take 3 s to write and speak, reporting as they go, so the page can be seen
            // echoing them; otherwise they report everything at once and the step is over before anything is drawn.
            overrides["Kiosk:Devices:Simulation:LiveCaptureDuration"] = "00:00:03";
        }

        // No broker listens there: every record stays in the outbox, where the test finds it.
        _agent = new TestAgent(FreePort.Next(), _folder.File("agent"), overrides);
        await _agent.StartAsync();
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu"],
        });
        SetDefaultExpectTimeout((float)Eventually.DefaultBound.TotalMilliseconds);
        _responses.Clear();
        _shot = 0;
    }

    [TearDown]
    public async Task TearDownAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (_agent is not null)
        {
            await _agent.DisposeAsync();
        }

        _folder?.Dispose();
    }

    [Test]
    public async Task The_screen_opens_in_Chinese_and_switches_to_English()
    {
        var page = await OpenScreenAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "zh-CN");
        await Expect(page.GetByTestId("start")).ToHaveTextAsync("开始报到");
        await Expect(page.GetByTestId("call-staff")).ToHaveTextAsync("呼叫工作人员");
        await ShotAsync(page, "welcome-zh");

        await page.GetByTestId("lang").ClickAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Expect(page.GetByTestId("start")).ToHaveTextAsync("Start check-in");
        await Expect(page.GetByTestId("call-staff")).ToHaveTextAsync("Call staff");
        await page.GetByTestId("font-larger").ClickAsync();
        await ShotAsync(page, "welcome-en-larger");

        await page.GetByTestId("lang").ClickAsync();
        await Expect(page.GetByTestId("start")).ToHaveTextAsync("开始报到");
    }

    [Test]
    [Property("ShortIdle", "")]
    public async Task A_person_who_walks_away_mid_check_in_leaves_nothing_behind_after_the_idle_timeout()
    {
        var person = SimulatedRoster.People(Agent.Services.GetRequiredService<IOptions<KioskOptions>>().Value.Roster)[0];
        using (var api = Agent.ApiClient())
        {
            (await api.PostAsJsonAsync("/api/simulation/visitor", new { person = 1 })).EnsureSuccessStatusCode();
        }

        var page = await OpenScreenAsync();
        await page.GetByTestId("start").ClickAsync();
        await ExpectScreenAsync(page, "idCard");
        await page.GetByTestId("step-idCard").ClickAsync();
        await ExpectScreenAsync(page, "face");

        // Nobody touches the screen again: the session resets itself and the page follows it back to the start.
        await ExpectScreenAsync(page, "welcome");
        await ShotAsync(page, "welcome-after-idle");
        await AssertNothingOfThePersonAsync(page, person.Card.IdNumber, person.Card.Name, "after the idle timeout");
        Assert.That(Agent.Session.HoldsPersonalData, Is.False, "the session wiped what it held");
        var pending = await Agent.Outbox.ReadPendingAsync(1000, new HashSet<long>(), CancellationToken.None);
        Assert.That(pending.Records.Where(r => r.Kind == Kiosk.Agent.Outbox.RecordKind.CheckIn), Is.Empty, "an abandoned check-in is not stored");
    }

    [Test]
    public async Task A_normal_level_check_in_clicked_through_ends_on_a_receipt_and_leaves_nothing_of_the_person()
    {
        var person = SimulatedRoster.People(Agent.Services.GetRequiredService<IOptions<KioskOptions>>().Value.Roster)[0];
        using (var api = Agent.ApiClient())
        {
            // Person 1 of the generated roster is at the normal level: their card and face are before the simulated devices.
            (await api.PostAsJsonAsync("/api/simulation/visitor", new { person = 1 })).EnsureSuccessStatusCode();
        }

        var page = await OpenScreenAsync();
        await ShotAsync(page, "welcome");
        await page.GetByTestId("start").ClickAsync();

        await ExpectScreenAsync(page, "idCard");
        await ShotAsync(page, "id-card");
        await page.GetByTestId("step-idCard").ClickAsync();

        await ExpectScreenAsync(page, "face");
        await Expect(page.GetByTestId("face-hints")).ToContainTextAsync("请正对摄像头");
        await ShotAsync(page, "face");
        await page.GetByTestId("step-face").ClickAsync();

        await ExpectScreenAsync(page, "reportAnswers");
        await page.GetByTestId("answer-residenceChanged-no").ClickAsync();
        await page.GetByTestId("answer-employment").FillAsync("在职");
        await ShotAsync(page, "report-questions");
        await page.GetByTestId("step-reportAnswers").ClickAsync();

        await ExpectScreenAsync(page, "signature");
        await ShotAsync(page, "signature");
        await page.GetByTestId("step-signature").ClickAsync();

        await ExpectScreenAsync(page, "commit");
        await ShotAsync(page, "commit");
        await page.GetByTestId("commit").ClickAsync();

        await ExpectScreenAsync(page, "receipt");
        await Expect(page.GetByTestId("record-number")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"\S{8,}"));
        await ShotAsync(page, "receipt");
        var recordId = await page.GetByTestId("record-number").TextContentAsync();

        var pending = await Agent.Outbox.ReadPendingAsync(1000, new HashSet<long>(), CancellationToken.None);
        Assert.That(pending.Records.Select(r => r.RecordId), Does.Contain(recordId), "the check-in on the receipt is in the outbox");
        var seq = pending.Records.Single(r => r.RecordId == recordId).Seq;
        await Expect(page.GetByTestId("receipt-seq")).ToHaveTextAsync($"No. {seq}");

        await AssertNothingOfThePersonAsync(page, person.Card.IdNumber, person.Card.Name, "on the receipt");
        await page.GetByTestId("done").ClickAsync();
        await ExpectScreenAsync(page, "welcome");
        await ShotAsync(page, "welcome-after");
        await AssertNothingOfThePersonAsync(page, person.Card.IdNumber, person.Card.Name, "after the reset");
        Assert.That(await page.ContentAsync(), Does.Not.Contain(recordId), "after the reset the page forgets the receipt too");

        Assert.That(_responses, Is.Not.Empty);
        Assert.That(_responses.Where(r => r.CacheControl != "no-store").Select(r => r.Url), Is.Empty, "every answer the screen got says Cache-Control: no-store");
    }

    [Test]
    public async Task A_strict_level_check_in_clicked_through_takes_every_step_and_leaves_nothing_of_the_person()
    {
        // Person 2 of the generated roster is at the strict level (odd positions are strict): their card and face are
        // before the simulated devices; the simulated fingerprint reader, microphone, scanner and signature pad answer anyone.
        var person = SimulatedRoster.People(Agent.Services.GetRequiredService<IOptions<KioskOptions>>().Value.Roster)[1];
        using (var api = Agent.ApiClient())
        {
            (await api.PostAsJsonAsync("/api/simulation/visitor", new { person = 2 })).EnsureSuccessStatusCode();
        }

        var page = await OpenScreenAsync();
        await ShotAsync(page, "strict-welcome");
        await page.GetByTestId("start").ClickAsync();

        await StepAsync(page, "idCard", "strict-id-card", person);
        await StepAsync(page, "face", "strict-face", person);
        await StepAsync(page, "fingerprint", "strict-fingerprint", person);

        await ExpectScreenAsync(page, "reportAnswers");
        await page.GetByTestId("answer-residenceChanged-no").ClickAsync();
        await page.GetByTestId("answer-employment").FillAsync("在职");
        await ShotAsync(page, "strict-report-questions");
        await AssertNothingOfThePersonAsync(page, person.Card.IdNumber, person.Card.Name, "on the reportAnswers screen");
        await page.GetByTestId("step-reportAnswers").ClickAsync();

        await StepAsync(page, "spokenReport", "strict-spoken-report", person);
        await StepAsync(page, "documentScan", "strict-document-scan", person);
        await StepAsync(page, "signature", "strict-signature", person);

        await ExpectScreenAsync(page, "commit");
        await ShotAsync(page, "strict-commit");
        await page.GetByTestId("commit").ClickAsync();

        await ExpectScreenAsync(page, "receipt");
        await Expect(page.GetByTestId("record-number")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"\S{8,}"));
        await ShotAsync(page, "strict-receipt");
        var recordId = await page.GetByTestId("record-number").TextContentAsync();

        var pending = await Agent.Outbox.ReadPendingAsync(1000, new HashSet<long>(), CancellationToken.None);
        Assert.That(pending.Records.Select(r => r.RecordId), Does.Contain(recordId), "the strict check-in on the receipt is in the outbox");
        var evidence = pending.Records.Single(r => r.RecordId == recordId).Attachments.Select(a => a.AttachmentId);
        Assert.That(
            evidence,
            Is.SupersetOf(new[] { "idcard-photo", "face", "fingerprint", "fingerprint-minutiae", "spoken-report", "document-1-front", "signature" }),
            "the simulated devices answered every strict step: the record carries what each captured");

        await AssertNothingOfThePersonAsync(page, person.Card.IdNumber, person.Card.Name, "on the receipt");
        await page.GetByTestId("done").ClickAsync();
        await ExpectScreenAsync(page, "welcome");
        await ShotAsync(page, "strict-welcome-after");
        await AssertNothingOfThePersonAsync(page, person.Card.IdNumber, person.Card.Name, "after the reset");
        Assert.That(await page.ContentAsync(), Does.Not.Contain(recordId), "after the reset the page forgets the receipt too");

        Assert.That(_responses, Is.Not.Empty);
        Assert.That(_responses.Where(r => r.CacheControl != "no-store").Select(r => r.Url), Is.Empty, "every answer the screen got says Cache-Control: no-store");
    }

    [Test]
    [Property("LiveCapture", "")]
    public async Task A_strict_check_in_shows_the_recording_the_scanned_pages_and_the_signature_live_and_keeps_none_of_it()
    {
        var person = SimulatedRoster.People(Agent.Services.GetRequiredService<IOptions<KioskOptions>>().Value.Roster)[1];
        using (var api = Agent.ApiClient())
        {
            (await api.PostAsJsonAsync("/api/simulation/visitor", new { person = 2 })).EnsureSuccessStatusCode();
        }

        var page = await OpenScreenAsync();
        await page.GetByTestId("start").ClickAsync();
        foreach (var step in new[] { "idCard", "face", "fingerprint" })
        {
            await ExpectScreenAsync(page, step);
            await page.GetByTestId("step-" + step).ClickAsync();
        }

        await ExpectScreenAsync(page, "reportAnswers");
        await page.GetByTestId("answer-residenceChanged-no").ClickAsync();
        await page.GetByTestId("step-reportAnswers").ClickAsync();

        // Spoken report: while the microphone records, "recording", the time left of the 3-minute limit and the level.
        await ExpectScreenAsync(page, "spokenReport");
        await page.GetByTestId("step-spokenReport").ClickAsync();
        await Expect(page.GetByTestId("recording")).ToHaveTextAsync("正在录音");
        await Expect(page.GetByTestId("countdown")).ToHaveTextAsync(new Regex(@"^0[23]:[0-5]\d$"));
        await Expect(page.GetByTestId("level-meter")).ToHaveAttributeAsync("aria-valuenow", new Regex(@"^\d{1,3}$"));
        await Expect(page.GetByTestId("level-meter")).ToHaveAttributeAsync("aria-label", "音量");
        await ShotAsync(page, "spoken-report-recording");

        // Scan: the step is done at once, and the pages taken stay in view on the next step's screen.
        await ExpectScreenAsync(page, "documentScan");
        await Expect(page.GetByTestId("level-meter")).ToHaveCountAsync(0);
        await page.GetByTestId("step-documentScan").ClickAsync();
        await ExpectScreenAsync(page, "signature");
        await Expect(page.GetByTestId("scanned-pages")).ToContainTextAsync("已扫描 2 页");
        await Expect(page.GetByTestId("scanned-page")).ToHaveTextAsync(["第 1 张 正面", "第 1 张 反面"]);
        await Expect(page.Locator("[data-testid=scanned-page] img[src^='data:image/']")).ToHaveCountAsync(2);
        await ShotAsync(page, "document-thumbnails");
        await AssertNothingOfThePersonAsync(page, person.Card.IdNumber, person.Card.Name, "with the scanned pages shown");

        // Signature: the strokes appear on the canvas while the pad reports them.
        await page.GetByTestId("step-signature").ClickAsync();
        var ink = await page.WaitForFunctionAsync(InkedPixels);
        Assert.That(await ink.JsonValueAsync<int>(), Is.GreaterThan(200), "pixels of ink on the signature canvas while the person writes");
        await ShotAsync(page, "signature-live");

        // Once the signature is done the scanned pages and the canvas go; after the receipt nothing of them is left.
        await ExpectScreenAsync(page, "commit");
        await Expect(page.GetByTestId("scanned-pages")).ToHaveCountAsync(0);
        await Expect(page.Locator("canvas")).ToHaveCountAsync(0);
        await page.GetByTestId("commit").ClickAsync();
        await ExpectScreenAsync(page, "receipt");
        await Expect(page.GetByTestId("record-number")).ToHaveTextAsync(new Regex(@"\S{8,}"));
        await AssertNoLiveEchoAsync(page, "on the receipt");
        await AssertNothingOfThePersonAsync(page, person.Card.IdNumber, person.Card.Name, "on the receipt");
        await page.GetByTestId("done").ClickAsync();
        await ExpectScreenAsync(page, "welcome");
        await AssertNoLiveEchoAsync(page, "after the reset");
    }

    [Test]
    public async Task The_session_needs_the_token_or_the_screen_cookie_and_a_code_opens_the_screen_once()
    {
        var address = Agent.LocalApi!;
        using var anonymous = new HttpClient(new SocketsHttpHandler { UseProxy = false, UseCookies = false }) { BaseAddress = address };
        Assert.That((await anonymous.GetAsync("/api/session")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await anonymous.GetAsync("/api/session/events")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await anonymous.GetAsync("/screen/")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await anonymous.GetAsync("/screen/?code=made-up")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await anonymous.PostAsync("/api/screen/codes", null)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "only a holder of the token issues codes");

        var url = await IssueScreenUrlAsync();
        var first = await Browser.NewContextAsync();
        var page = await first.NewPageAsync();
        await page.GotoAsync(url);
        await ExpectScreenAsync(page, "welcome");
        Assert.That(page.Url, Does.Not.Contain("code="), "the code leaves the address bar");

        var cookie = (await first.CookiesAsync()).Single(c => c.Name == ScreenAccess.CookieName);
        Assert.That(cookie.HttpOnly, Is.True);
        Assert.That(cookie.SameSite, Is.EqualTo(SameSiteAttribute.Strict));

        // The cookie opens the screen's routes, never kioskctl's.
        Assert.That((await first.APIRequest.GetAsync(new Uri(address, "/api/session").ToString())).Status, Is.EqualTo(200));
        Assert.That((await first.APIRequest.GetAsync(new Uri(address, "/api/status").ToString())).Status, Is.EqualTo(401));
        Assert.That((await first.APIRequest.PostAsync(new Uri(address, "/api/screen/codes").ToString())).Status, Is.EqualTo(401));

        // The same code a second time: refused, in another browser and without one.
        Assert.That((await anonymous.GetAsync(new Uri(url).PathAndQuery)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        var second = await Browser.NewContextAsync();
        var again = await second.NewPageAsync();
        var response = await again.GotoAsync(url);
        Assert.That(response!.Status, Is.EqualTo(401));
        await ShotAsync(again, "code-used", axe: false); // the agent's bare 401 answer, not the kiosk screen
        Assert.That((await second.APIRequest.GetAsync(new Uri(address, "/api/session").ToString())).Status, Is.EqualTo(401));

        // kioskctl's token still works.
        using var api = Agent.ApiClient();
        Assert.That((await api.GetAsync("/api/session")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await api.GetAsync("/api/status")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Call_staff_shows_a_confirmation()
    {
        var page = await OpenScreenAsync();
        await page.GetByTestId("call-staff").ClickAsync();
        await Expect(page.GetByTestId("call-staff-result")).ToHaveTextAsync("已呼叫工作人员");
        await ShotAsync(page, "call-staff-zh");
        await page.GetByTestId("lang").ClickAsync();
        await page.GetByTestId("call-staff").ClickAsync();
        await Expect(page.GetByTestId("call-staff-result")).ToContainTextAsync("Staff have");
        await ShotAsync(page, "call-staff-en");
    }

    [Test]
    [Property("NoRoster", "true")]
    public async Task Without_a_roster_the_screen_is_out_of_service()
    {
        var page = await OpenScreenAsync(expect: "outOfService");
        await Expect(page.Locator("main")).ToContainTextAsync("暂停服务");
        await Expect(page.Locator("main")).ToContainTextAsync("报到名单");
        await ShotAsync(page, "out-of-service");
    }

    /// <summary>Pixels with any ink on the signature canvas (getImageData), or 0 while there are none: a condition to wait on.</summary>
    private const string InkedPixels = """
        () => {
          const canvas = document.querySelector("[data-testid=signature-canvas]");
          if (!canvas || !canvas.width || !canvas.height) return 0;
          const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
          let inked = 0;
          for (let i = 3; i < data.length; i += 4) if (data[i] > 0) inked++;
          return inked > 200 ? inked : 0;
        }
        """;

    /// <summary>No canvas, no image and no data: URL anywhere in the page: the live echo left nothing behind.</summary>
    private static async Task AssertNoLiveEchoAsync(IPage page, string when)
    {
        Assert.That(await page.Locator("canvas").CountAsync(), Is.Zero, $"no canvas {when}");
        Assert.That(await page.Locator("img").CountAsync(), Is.Zero, $"no image {when}");
        Assert.That(await page.ContentAsync(), Does.Not.Contain("data:"), $"no data: URL in the DOM {when}");
    }

    /// <summary>Waits for the step's screen, saves and scans it, checks it shows nothing of the person, and clicks its button.</summary>
    private async Task StepAsync(IPage page, string step, string shot, SimulatedPerson person)
    {
        await ExpectScreenAsync(page, step);
        await ShotAsync(page, shot);
        await AssertNothingOfThePersonAsync(page, person.Card.IdNumber, person.Card.Name, $"on the {step} screen");
        await page.GetByTestId("step-" + step).ClickAsync();
    }

    private async Task<string> IssueScreenUrlAsync()
    {
        using var api = Agent.ApiClient();
        using var response = await api.PostAsync("/api/screen/codes", null);
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("url").GetString()!;
    }

    private async Task<IPage> OpenScreenAsync(string expect = "welcome")
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { Locale = "zh-CN", ViewportSize = new ViewportSize { Width = 1080, Height = 1280 } });
        var page = await context.NewPageAsync();
        page.Response += (_, response) =>
        {
            lock (_responses)
            {
                _responses.Add((response.Url, response.Headers.TryGetValue("cache-control", out var value) ? value : null));
            }
        };
        await page.GotoAsync(await IssueScreenUrlAsync());
        await ExpectScreenAsync(page, expect);
        return page;
    }

    private static Task ExpectScreenAsync(IPage page, string screen) =>
        Expect(page.Locator("main#screen")).ToHaveAttributeAsync("data-screen", screen);

    private static async Task AssertNothingOfThePersonAsync(IPage page, string idNumber, string name, string when)
    {
        var html = await page.ContentAsync();
        Assert.That(html, Does.Not.Contain(idNumber), $"no ID number in the DOM {when}");
        Assert.That(html, Does.Not.Contain(name), $"no full name in the DOM {when}");
        var stored = await page.EvaluateAsync<int>("() => localStorage.length + sessionStorage.length");
        Assert.That(stored, Is.Zero, $"nothing in localStorage or sessionStorage {when}");
    }

    /// <summary>Saves the screen as a screenshot attached to the test and, unless told not to, scans it with axe.</summary>
    private async Task ShotAsync(IPage page, string name, bool axe = true)
    {
        var folder = Path.Combine(TestContext.CurrentContext.WorkDirectory, "screenshots", TestContext.CurrentContext.Test.MethodName!);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{++_shot:D2}-{name}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        TestContext.AddTestAttachment(path, name);
        if (axe)
        {
            await AssertAccessibleAsync(page, name);
        }
    }

    /// <summary>axe-core (bundled in Deque.AxeCore.Commons, nothing fetched) on the page as it is: no serious or critical violation.</summary>
    private static async Task AssertAccessibleAsync(IPage page, string name)
    {
        var result = await page.RunAxe();
        var blocking = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        foreach (var minor in result.Violations.Except(blocking))
        {
            TestContext.Out.WriteLine($"axe on the {name} screen, {minor.Impact}: {minor.Id} at {string.Join(", ", minor.Nodes.Select(n => n.Target?.ToString()))}");
        }

        Assert.That(
            blocking,
            Is.Empty,
            $"axe on the {name} screen: " + string.Join("; ", blocking.Select(v =>
                $"{v.Id} ({v.Impact}) at {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}: {v.Help}")));
    }
}
