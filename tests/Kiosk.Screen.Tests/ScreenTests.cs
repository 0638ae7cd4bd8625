using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Kiosk.Agent.Configuration;
using Kiosk.Agent.Devices;
using Kiosk.Agent.Control.Commands;
using Kiosk.Agent.LocalApi;
using Kiosk.Agent.Session;
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
    private Testbed? _testbed;
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private readonly List<(string Url, string? CacheControl)> _responses = [];
    private readonly List<string> _consoleErrors = [];
    private int _shot;

    /// <summary>The agent's settings a test asks for with its <c>[Property]</c>.</summary>
    private static readonly Dictionary<string, (string Key, string Value)[]> PropertySettings = new(StringComparer.Ordinal)
    {
        // A kiosk the platform has not sent its roster yet.
        ["NoRoster"] = [("Kiosk:Roster:SimulatedPeople", "0")],
        // The session gives up on a person who walked away after 2 s of no step (StepTimeout may not be longer).
        ["ShortIdle"] = [("Kiosk:Session:StepTimeout", "00:00:02"), ("Kiosk:Session:IdleTimeout", "00:00:02")],
        // Every simulated device takes 1 s: the face camera's preview frames come a third of a second apart, and its
        // last one stays some four seconds with the Slow fault, however loaded the machine is.
        ["SteadyFace"] = [("Kiosk:Devices:Simulation:OperationDelay", "00:00:01")],
        // The simulated pad and microphone take 10 s to write and speak, reporting as they go, so the page can be seen
        // echoing them on a loaded machine too; otherwise they report everything at once and the step is over before
        // anything is drawn. The person at the microphone speaks until the test presses "I'm done", however slowly the
        // browser gets there (with 3 s and no such hold, a busy CI machine once saw the recording end before the click).
        ["LiveCapture"] = [("Kiosk:Devices:Simulation:LiveCaptureDuration", "00:00:10"), ("Kiosk:Devices:Simulation:SpeakUntilFinished", "true")],
        ["Blank"] = [("Kiosk:Screen:BlankAfter", "00:00:05")],
        ["ShortReceipt"] = [("Kiosk:Session:ReceiptTimeout", "00:00:05")],
        // A real reader's driver whose serial port is not there: the kiosk has no working ID card reader.
        ["NoIdCardReader"] = [("Kiosk:Devices:IdCardReader", "Sam"), ("Kiosk:Devices:Sam:PortName", "/dev/kiosk-test-no-such-port")],
    };

    private TestAgent Agent => _agent!;

    /// <summary>The agent's generated roster, in order.</summary>
    private IReadOnlyList<SimulatedPerson> People => SimulatedRoster.People(Agent.Services.GetRequiredService<IOptions<KioskOptions>>().Value.Roster);

    private IBrowser Browser => _browser!;

    [SetUp]
    public async Task SetUpAsync()
    {
        if (!File.Exists(Chromium))
        {
            Assert.Ignore($"{Chromium} is missing: the screen tests need Debian's chromium (./kiosk.sh test installs it; apt-get install chromium)");
        }

        var properties = TestContext.CurrentContext.Test.Properties;
        if (properties.ContainsKey("PinyinTable") && !PinyinTables.UnihanInstalled)
        {
            Assert.Ignore("unicode-data is not installed: the keyboard's pinyin table is rendered from its Unihan (./kiosk.sh test installs it; apt-get install unicode-data)");
        }

        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        _folder = new TempFolder("kiosk-screen");
        var overrides = new Dictionary<string, string?>();
        if (properties.ContainsKey("PinyinTable"))
        {
            // Rendered as ./kiosk.sh publish renders it into the package, from Debian's unicode-data.
            var table = _folder.File("pinyin/pinyin.json");
            PinyinTables.Render(table);
            overrides[PinyinTableFile.Key] = table;
        }
        else
        {
            // Every other test runs without the table, as a kiosk whose package lacks it.
            overrides[PinyinTableFile.Key] = _folder.File("no-pinyin-table/pinyin.json");
        }

        foreach (var (property, settings) in PropertySettings)
        {
            if (properties.ContainsKey(property))
            {
                foreach (var (key, value) in settings)
                {
                    overrides[key] = value;
                }
            }
        }

        if (properties.ContainsKey("Platform"))
        {
            // Mosquitto and the central simulator: the platform answers what the kiosk sends.
            _testbed = await Testbed.StartAsync("screen-platform");
            _agent = _testbed.Agent("screen", overrides);
        }
        else
        {
            // No broker listens there: every record stays in the outbox, where the test finds it.
            _agent = new TestAgent(FreePort.Next(), _folder.File("agent"), overrides);
        }

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
        _consoleErrors.Clear();
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

        if (_testbed is not null)
        {
            await _testbed.DisposeAsync();
            _testbed = null;
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
        var person = await PresentVisitorAsync(1);

        var page = await OpenScreenAsync();
        await page.GetByTestId("start").ClickAsync();
        await ExpectScreenAsync(page, "idCard");
        await page.GetByTestId("step-idCard").ClickAsync();
        await ExpectScreenAsync(page, "consent");

        // Nobody touches the screen again: the session resets itself and the page follows it back to the start.
        await ExpectScreenAsync(page, "welcome");
        await ShotAsync(page, "welcome-after-idle");
        await AssertNothingOfThePersonAsync(page, person.Card.IdNumber, person.Card.Name, "after the idle timeout");
        Assert.That(Agent.Session.HoldsPersonalData, Is.False, "the session wiped what it held");
        var pending = await Agent.Outbox.ReadPendingAsync(1000, new HashSet<long>(), CancellationToken.None);
        Assert.That(pending.Records.Where(r => r.Kind == Kiosk.Agent.Outbox.RecordKind.CheckIn), Is.Empty, "an abandoned check-in is not stored");
        Assert.That(await Agent.Services.GetRequiredService<Kiosk.Agent.Consent.ConsentStore>().CountAsync(CancellationToken.None), Is.Zero, "no answer is no consent");
    }

    [Test]
    public async Task A_normal_level_check_in_clicked_through_ends_on_a_receipt_and_leaves_nothing_of_the_person()
    {
        // Person 1 of the generated roster is at the normal level: their card and face are before the simulated devices.
        var person = await PresentVisitorAsync(1);

        var page = await OpenScreenAsync();
        await ShotAsync(page, "welcome");
        await page.GetByTestId("start").ClickAsync();

        await ExpectScreenAsync(page, "idCard");
        await ShotAsync(page, "id-card");
        await page.GetByTestId("step-idCard").ClickAsync();

        // First check-in of this person here: the whole consent text, before any capture.
        await ExpectScreenAsync(page, "consent");
        await Expect(page.GetByTestId("consent-captures").Locator("li")).ToHaveTextAsync(["人脸图像", "手写签名（笔迹）"]);
        await Expect(page.GetByTestId("consent-platform-retention")).ToContainTextAsync("平台保存");
        await ShotAsync(page, "consent");
        await AssertNothingOfThePersonAsync(page, person.Card.IdNumber, person.Card.Name, "on the consent screen");
        await page.GetByTestId("consent-agree").ClickAsync();

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
    [Property("SteadyFace", "")]
    public async Task The_face_step_shows_the_camera_live_with_the_face_boxed_and_a_plain_words_hint_and_keeps_no_frame()
    {
        var person = await PresentVisitorAsync(1);

        // The simulated camera shows nobody, then the person too far away, then the person boxed and steady; its Slow fault
        // keeps that last frame on screen for seconds before the capture returns, long enough to look at it.
        ((SimulatedFaceCamera)Agent.Services.GetRequiredService<DeviceSet>().FaceCamera).Faults.Next(SimulatedFault.Slow);
        var page = await OpenScreenAsync();
        await page.GetByTestId("start").ClickAsync();
        await ExpectScreenAsync(page, "idCard");
        await page.GetByTestId("step-idCard").ClickAsync();
        await ExpectScreenAsync(page, "consent");
        await page.GetByTestId("consent-agree").ClickAsync();
        await ExpectScreenAsync(page, "face");
        await Expect(page.GetByTestId("face-preview")).ToHaveCountAsync(0);

        await page.GetByTestId("step-face").ClickAsync();
        await Expect(page.GetByTestId("face-preview-image")).ToHaveAttributeAsync("src", new System.Text.RegularExpressions.Regex("^data:image/"));
        await Expect(page.GetByTestId("face-hint")).ToHaveTextAsync("请保持不动");
        await Expect(page.GetByTestId("face-hint")).ToHaveAttributeAsync("aria-live", "polite");
        await Expect(page.Locator(".face-box.good")).ToBeVisibleAsync();
        await page.GetByTestId("lang").ClickAsync();
        await Expect(page.GetByTestId("face-hint")).ToHaveTextAsync("Hold still");
        await Expect(page.GetByTestId("face-preview-image")).ToHaveAttributeAsync("alt", "Live camera view");
        await page.GetByTestId("lang").ClickAsync();
        await Expect(page.GetByTestId("face-hint")).ToHaveTextAsync("请保持不动");
        await ShotAsync(page, "face-preview");

        // The step answers: the preview goes with it.
        await ExpectScreenAsync(page, "reportAnswers");
        await Expect(page.GetByTestId("face-preview")).ToHaveCountAsync(0);
        await Expect(page.Locator("img[src^='data:']")).ToHaveCountAsync(0);
        await page.GetByTestId("answer-residenceChanged-no").ClickAsync();
        await page.GetByTestId("step-reportAnswers").ClickAsync();
        await ExpectScreenAsync(page, "signature");
        await page.GetByTestId("step-signature").ClickAsync();
        await ExpectScreenAsync(page, "commit");
        await page.GetByTestId("commit").ClickAsync();
        await ExpectScreenAsync(page, "receipt");
        await Expect(page.GetByTestId("record-number")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"\S{8,}"));

        Assert.That(await page.Locator("img[src^='data:']").CountAsync(), Is.Zero, "no frame of the person is left in the DOM on the receipt");
        Assert.That(await page.ContentAsync(), Does.Not.Contain("data:image"));
        await AssertNothingOfThePersonAsync(page, person.Card.IdNumber, person.Card.Name, "on the receipt after a face preview");
    }

    [Test]
    [Property("ShortReceipt", "")]
    public async Task A_strict_level_check_in_clicked_through_takes_every_step_and_leaves_nothing_of_the_person()
    {
        // Person 2 of the generated roster is at the strict level (odd positions are strict): their card and face are
        // before the simulated devices; the simulated fingerprint reader, microphone, scanner and signature pad answer anyone.
        var person = await PresentVisitorAsync(2);

        var page = await OpenScreenAsync();
        await ShotAsync(page, "strict-welcome");
        await page.GetByTestId("start").ClickAsync();

        await StepAsync(page, "idCard", "strict-id-card", person);
        await ExpectScreenAsync(page, "consent");
        await Expect(page.GetByTestId("consent-captures").Locator("li")).ToHaveTextAsync(["人脸图像", "指纹", "语音（口头汇报录音）", "手写签名（笔迹）"]);
        await ShotAsync(page, "strict-consent");
        await page.GetByTestId("consent-agree").ClickAsync();
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
        await Expect(page.GetByTestId("receipt-return")).ToContainTextAsync("秒后自动返回首页");
        // Nobody presses Done: the receipt goes by itself (ReceiptTimeout 5 s here) and the next person finds the start.
        await ExpectScreenAsync(page, "welcome");
        await ShotAsync(page, "strict-welcome-after");
        await AssertNothingOfThePersonAsync(page, person.Card.IdNumber, person.Card.Name, "after the reset");
        Assert.That(await page.ContentAsync(), Does.Not.Contain(recordId), "after the reset the page forgets the receipt too");

        Assert.That(_responses, Is.Not.Empty);
        Assert.That(_responses.Where(r => r.CacheControl != "no-store").Select(r => r.Url), Is.Empty, "every answer the screen got says Cache-Control: no-store");
    }

    [Test]
    public async Task A_person_who_declines_consent_is_told_staff_are_coming_and_nothing_biometric_is_captured_or_stored()
    {
        var person = await PresentVisitorAsync(2);

        var page = await OpenScreenAsync();
        await page.GetByTestId("start").ClickAsync();
        await StepAsync(page, "idCard", "declined-id-card", person);

        await ExpectScreenAsync(page, "consent");
        await page.GetByTestId("lang").ClickAsync();
        await Expect(page.GetByTestId("consent-staff")).ToHaveTextAsync("Check in with staff instead");
        await Expect(page.GetByTestId("consent-captures")).ToContainTextAsync("Fingerprint");
        await ShotAsync(page, "consent-en");
        await page.GetByTestId("lang").ClickAsync();
        await Expect(page.GetByTestId("consent-staff")).ToHaveTextAsync("不同意，由工作人员办理");
        await page.GetByTestId("consent-staff").ClickAsync();

        await ExpectScreenAsync(page, "staffCheckIn");
        await Expect(page.Locator("main h1")).ToHaveTextAsync("工作人员正在赶来");
        await Expect(page.GetByTestId("staff-check-in")).ToContainTextAsync("未采集任何生物特征信息");
        await ShotAsync(page, "staff-check-in");
        await AssertNothingOfThePersonAsync(page, person.Card.IdNumber, person.Card.Name, "on the staff screen");
        Assert.That(Agent.Session.HoldsPersonalData, Is.False, "staff take over: the session holds nothing of the person");

        var pending = (await Agent.Outbox.ReadPendingAsync(1000, new HashSet<long>(), CancellationToken.None)).Records;
        Assert.That(pending.Where(r => r.Kind == Kiosk.Agent.Outbox.RecordKind.CheckIn), Is.Empty, "no check-in is stored");
        var alert = pending.Single(r => r.Kind == Kiosk.Agent.Outbox.RecordKind.Alert);
        var body = System.Text.Json.Nodes.JsonNode.Parse(Agent.Outbox.OpenBody(alert))!;
        Assert.That(body["alertType"]!.GetValue<string>(), Is.EqualTo("staffCheckIn"));
        Assert.That(body["consent"]!["decision"]!.GetValue<string>(), Is.EqualTo("refused"));
        Assert.That(alert.Attachments, Is.Empty, "the alert carries nothing biometric");
        Assert.That(await Agent.Services.GetRequiredService<Kiosk.Agent.Consent.ConsentStore>().CountAsync(CancellationToken.None), Is.Zero, "a refusal is not remembered as consent");

        await page.GetByTestId("cancel").ClickAsync();
        await ExpectScreenAsync(page, "welcome");
    }

    [Test]
    public async Task A_returning_person_sees_the_consent_on_file_as_a_notice_and_can_withdraw_it()
    {
        var person = People[0];
        var consents = Agent.Services.GetRequiredService<Kiosk.Agent.Consent.ConsentStore>();

        // A first check-in, done by a simulated visitor who agrees when asked.
        var (first, firstReceipt) = await SimulatedVisitor.CheckInAsync(Agent.Session, Agent.Services.GetRequiredService<Kiosk.Agent.Devices.DeviceSet>(), person, CancellationToken.None);
        Assert.That(firstReceipt, Is.Not.Null, first.Message);
        Assert.That(await consents.CountAsync(CancellationToken.None), Is.EqualTo(1));

        await PresentVisitorAsync(1);

        var page = await OpenScreenAsync();
        await page.GetByTestId("start").ClickAsync();
        await StepAsync(page, "idCard", "returning-id-card", person);

        // The same scope: a short notice, not the whole consent screen.
        await ExpectScreenAsync(page, "consentNotice");
        await Expect(page.GetByTestId("consent-notice")).ToContainTextAsync("您已于");
        await Expect(page.GetByTestId("consent-notice")).ToContainTextAsync("同意采集：人脸图像、手写签名（笔迹）");
        await Expect(page.GetByTestId("consent-withdraw")).ToHaveTextAsync("撤回同意，改由工作人员办理");
        await ShotAsync(page, "consent-notice");
        await AssertNothingOfThePersonAsync(page, person.Card.IdNumber, person.Card.Name, "on the consent notice");
        await page.GetByTestId("lang").ClickAsync();
        await Expect(page.GetByTestId("consent-notice")).ToContainTextAsync("you agreed to the capture of: Face image, Handwritten signature");
        await ShotAsync(page, "consent-notice-en");
        await page.GetByTestId("lang").ClickAsync();
        await page.GetByTestId("consent-withdraw").ClickAsync();

        await ExpectScreenAsync(page, "staffCheckIn");
        await Expect(page.GetByTestId("staff-check-in")).ToContainTextAsync("您的同意已撤回");
        await ShotAsync(page, "withdrawn");
        Assert.That(await consents.CountAsync(CancellationToken.None), Is.Zero, "the withdrawn consent is deleted");
        var pending = (await Agent.Outbox.ReadPendingAsync(1000, new HashSet<long>(), CancellationToken.None)).Records;
        Assert.That(pending.Where(r => r.Kind == Kiosk.Agent.Outbox.RecordKind.CheckIn).Select(r => r.RecordId), Is.EqualTo(new[] { firstReceipt!.RecordId }), "the withdrawing visit stores no check-in");
        var alert = System.Text.Json.Nodes.JsonNode.Parse(Agent.Outbox.OpenBody(pending.Single(r => r.Kind == Kiosk.Agent.Outbox.RecordKind.Alert)))!;
        Assert.That(alert["alertType"]!.GetValue<string>(), Is.EqualTo("staffCheckIn"));
        Assert.That(alert["consent"]!["decision"]!.GetValue<string>(), Is.EqualTo("withdrawn"));

        // Back at the start, the next check-in asks again: nothing is on file any more.
        await page.GetByTestId("cancel").ClickAsync();
        await ExpectScreenAsync(page, "welcome");
        await PresentVisitorAsync(1);

        await page.GetByTestId("start").ClickAsync();
        await ExpectScreenAsync(page, "idCard");
        await page.GetByTestId("step-idCard").ClickAsync();
        await ExpectScreenAsync(page, "consent");
        await Expect(page.GetByTestId("consent-agree")).ToBeVisibleAsync();
    }

    [Test]
    [Property("LiveCapture", "")]
    public async Task A_strict_check_in_shows_the_recording_the_scanned_pages_and_the_signature_live_and_keeps_none_of_it()
    {
        var person = await PresentVisitorAsync(2);

        var page = await OpenScreenAsync();
        await page.GetByTestId("start").ClickAsync();
        await ExpectScreenAsync(page, "idCard");
        await page.GetByTestId("step-idCard").ClickAsync();
        await ExpectScreenAsync(page, "consent");
        await page.GetByTestId("consent-agree").ClickAsync();
        foreach (var step in new[] { "face", "fingerprint" })
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
        // "I'm done" ends the recording there (the device tests show it keeps what was said); the next step follows.
        await page.GetByTestId("finish-recording").ClickAsync();

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

    [Test]
    [Property("Blank", "")]
    public async Task The_start_screen_blanks_with_nobody_there_and_wakes_for_a_person_or_a_touch()
    {
        var sensors = (SimulatedSensors)Agent.Services.GetRequiredService<DeviceSet>().Sensors;
        var page = await OpenScreenAsync();
        await Expect(page.GetByTestId("blank")).ToBeVisibleAsync();
        await ShotAsync(page, "blank");

        sensors.SetPresence(true);
        await Expect(page.GetByTestId("blank")).ToBeHiddenAsync();
        await Expect(page.GetByTestId("start")).ToBeVisibleAsync();

        // The person walks away: the screen blanks again; a touch wakes it and does nothing else.
        sensors.SetPresence(false);
        await Expect(page.GetByTestId("blank")).ToBeVisibleAsync();
        await page.GetByTestId("blank").ClickAsync();
        await Expect(page.GetByTestId("blank")).ToBeHiddenAsync();
        await ExpectScreenAsync(page, "welcome");
        Assert.That(Agent.Session.State, Is.EqualTo(Kiosk.Agent.Session.SessionState.Idle), "the waking touch did not start a check-in");
    }

    [Test]
    [Property("NoIdCardReader", "")]
    public async Task A_kiosk_without_a_working_ID_card_reader_is_out_of_service_and_says_which_device()
    {
        var page = await OpenScreenAsync(expect: "outOfService");
        await Expect(page.Locator("[data-reason=deviceUnavailable]")).ToContainTextAsync("身份证阅读器");
        await Expect(page.GetByTestId("start")).ToHaveCountAsync(0);
        await ShotAsync(page, "out-of-service-device-zh");
        await page.GetByTestId("lang").ClickAsync();
        await Expect(page.Locator("[data-reason=deviceUnavailable]")).ToContainTextAsync("ID card reader");
        await ShotAsync(page, "out-of-service-device-en");
        // Call staff works on the out-of-service screen too: it is the person's only way on.
        await page.GetByTestId("call-staff").ClickAsync();
        await Expect(page.GetByTestId("call-staff-result")).ToContainTextAsync("Staff have");
    }

    [Test]
    public async Task A_person_not_on_the_roster_is_asked_to_see_staff_and_nothing_of_them_stays()
    {
        var person = People[0];
        var stranger = person.Card with { IdNumber = "110101199001011237", Name = "陌生人" };
        var reader = (SimulatedIdCardReader)Agent.Services.GetRequiredService<DeviceSet>().IdCardReader;
        reader.PresentCard(stranger);

        var page = await OpenScreenAsync();
        await page.GetByTestId("start").ClickAsync();
        await ExpectScreenAsync(page, "idCard");
        await page.GetByTestId("step-idCard").ClickAsync();
        await ExpectScreenAsync(page, "halted");
        await Expect(page.GetByTestId("message")).ToContainTextAsync("未找到您的报到信息");
        await ShotAsync(page, "halted-unknown-person");
        await AssertNothingOfThePersonAsync(page, stranger.IdNumber, stranger.Name, "on the halted screen");

        var pending = await Agent.Outbox.ReadPendingAsync(1000, new HashSet<long>(), CancellationToken.None);
        Assert.That(pending.Records.Where(r => r.Kind == Kiosk.Agent.Outbox.RecordKind.Alert).Select(r => System.Text.Encoding.UTF8.GetString(Agent.Outbox.OpenBody(r))), Has.One.Contains("unknownPerson"), "staff are alerted");
        await page.GetByTestId("cancel").ClickAsync();
        await ExpectScreenAsync(page, "welcome");
        Assert.That(Agent.Session.HoldsPersonalData, Is.False);
    }

    [Test]
    [Property("Platform", "")]
    public async Task When_staff_answer_a_call_from_the_platform_the_screen_says_they_are_coming()
    {
        var page = await OpenScreenAsync();
        await page.GetByTestId("start").ClickAsync();
        await ExpectScreenAsync(page, "idCard");
        await page.GetByTestId("call-staff").ClickAsync();
        await Expect(page.GetByTestId("call-staff-result")).ToHaveTextAsync("已呼叫工作人员");

        var central = _testbed!.Central;
        string? alertId = null;
        await Eventually.TrueAsync(
            async () => (alertId = (await central.GetStoredRecordsAsync(CancellationToken.None)).FirstOrDefault(r => r.Kind == "alert" && r.Json.Contains("callStaff", StringComparison.Ordinal))?.RecordId) is not null,
            "the call-staff alert reached the platform");
        var commandId = await central.SendCommandAsync("site-t", "kiosk-t", "alert-disposition", new System.Text.Json.Nodes.JsonObject { ["alertRecordId"] = alertId, ["disposition"] = "acknowledged", ["by"] = "值班民警" }, CancellationToken.None);
        using (var wait = new CancellationTokenSource(Eventually.DefaultBound))
        {
            var result = await central.WaitForCommandResultAsync(commandId, wait.Token);
            Assert.That(result.Status, Is.EqualTo("done"), result.Message);
        }

        await Expect(page.GetByTestId("notice")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("notice")).ToHaveTextAsync("工作人员正在赶来");
        await Expect(page.Locator("body")).Not.ToContainTextAsync("值班民警");
        await ShotAsync(page, "staff-coming");
        await page.GetByTestId("cancel").ClickAsync();
        await ExpectScreenAsync(page, "welcome");
        await Expect(page.GetByTestId("notice")).ToBeHiddenAsync();
    }

    [Test]
    [Property("PinyinTable", "")]
    public async Task Zhu_typed_on_the_on_screen_keyboard_and_住_tapped_goes_into_the_committed_answer()
    {
        var page = await ReportScreenOfPersonOneAsync();
        await page.GetByTestId("answer-residenceChanged-no").ClickAsync();
        var input = page.GetByTestId("answer-employment");
        await Expect(input).ToHaveAttributeAsync("inputmode", "none");
        await input.ClickAsync();

        var keyboard = page.GetByTestId("keyboard");
        await Expect(keyboard).ToBeVisibleAsync();
        await Expect(keyboard).ToHaveAttributeAsync("data-pinyin", "ready");
        await Expect(keyboard).ToHaveAttributeAsync("data-layout", "pinyin");
        await TapAsync(page, "zhu");
        await Expect(page.GetByTestId("keyboard-pinyin")).ToHaveTextAsync("zhu");
        var candidates = page.GetByTestId("keyboard-candidates").GetByTestId("candidate");
        await Expect(candidates).ToHaveCountAsync(8);
        await ShotAsync(page, "keyboard-zhu");

        // Paging through the candidates and back.
        var first = await candidates.AllTextContentsAsync();
        await page.GetByTestId("candidates-next").ClickAsync();
        await Expect(candidates.First).Not.ToHaveTextAsync(first[0]);
        await ShotAsync(page, "keyboard-zhu-page-2");
        await page.GetByTestId("candidates-previous").ClickAsync();
        await Expect(candidates.First).ToHaveTextAsync(first[0]);

        await page.Locator("[data-testid=candidate][data-value='住']").ClickAsync();
        await Expect(input).ToHaveValueAsync("住");
        await Expect(page.GetByTestId("keyboard-pinyin")).ToBeEmptyAsync();

        // The screen switches language under the open keyboard: it follows, and the answer survives the redraw.
        await page.GetByTestId("lang").ClickAsync();
        await Expect(page.GetByTestId("key-done")).ToHaveTextAsync("Done");
        await ShotAsync(page, "keyboard-en");
        await page.GetByTestId("lang").ClickAsync();
        await Expect(page.GetByTestId("key-done")).ToHaveTextAsync("完成");

        // Space takes the first candidate; backspace undoes a character; letters and digits from their layouts.
        await TapAsync(page, "zai");
        await page.GetByTestId("key-space").ClickAsync();
        await Expect(page.GetByTestId("answer-employment")).ToHaveValueAsync("住在");
        await page.GetByTestId("layout-letters").ClickAsync();
        await TapAsync(page, "ab");
        await page.GetByTestId("key-backspace").ClickAsync();
        await page.GetByTestId("layout-symbols").ClickAsync();
        await page.GetByTestId("key-3").ClickAsync();
        await Expect(page.GetByTestId("answer-employment")).ToHaveValueAsync("住在a3");
        await page.GetByTestId("key-done").ClickAsync();
        await Expect(keyboard).ToBeHiddenAsync();

        await page.GetByTestId("step-reportAnswers").ClickAsync();
        await ExpectScreenAsync(page, "signature");
        await page.GetByTestId("step-signature").ClickAsync();
        var report = await CommitAndReadReportAsync(page);
        Assert.That(report["employment"]!.GetValue<string>(), Is.EqualTo("住在a3"), "the characters tapped on the keyboard are in the stored check-in");
        Assert.That(_consoleErrors.Where(e => e.Contains("Content Security Policy", StringComparison.Ordinal)), Is.Empty, "the keyboard runs under the strict CSP");
    }

    [Test]
    public async Task Without_the_pinyin_table_the_keyboard_says_Chinese_input_is_unavailable_and_types_letters_and_digits()
    {
        var page = await ReportScreenOfPersonOneAsync();
        await page.GetByTestId("answer-residenceChanged-yes").ClickAsync();
        await page.GetByTestId("answer-employment").ClickAsync();

        var keyboard = page.GetByTestId("keyboard");
        await Expect(keyboard).ToHaveAttributeAsync("data-pinyin", "unavailable");
        await Expect(keyboard).ToHaveAttributeAsync("data-layout", "letters");
        await Expect(page.GetByTestId("keyboard-status")).ToContainTextAsync("中文输入暂不可用");
        await Expect(page.GetByTestId("layout-pinyin")).ToBeDisabledAsync();
        await page.GetByTestId("key-shift").ClickAsync();
        await TapAsync(page, "hi");
        await page.GetByTestId("layout-symbols").ClickAsync();
        await TapAsync(page, "12");
        await Expect(page.GetByTestId("answer-employment")).ToHaveValueAsync("Hi12");
        await ShotAsync(page, "keyboard-without-pinyin");
        await page.GetByTestId("lang").ClickAsync();
        await Expect(page.GetByTestId("keyboard-status")).ToContainTextAsync("Chinese input is unavailable");
        await page.GetByTestId("lang").ClickAsync();
        await page.GetByTestId("key-done").ClickAsync();

        await page.GetByTestId("step-reportAnswers").ClickAsync();
        await ExpectScreenAsync(page, "signature");
        await page.GetByTestId("step-signature").ClickAsync();
        var report = await CommitAndReadReportAsync(page);
        Assert.That(report["employment"]!.GetValue<string>(), Is.EqualTo("Hi12"));
    }

    [Test]
    public async Task Typed_documents_are_asked_for_by_name_under_the_document_camera_and_shown_as_taken()
    {
        const string Policy = """
            {"version": 5, "levels": {"strict": {
              "steps": ["idCard", "documentScan"], "questions": [], "faceAttempts": 2, "liveness": "flag",
              "documentTypes": ["workCertificate", "residenceCertificate"], "attachmentRetentionDays": 90}}}
            """;
        Assert.That(PolicyCommand.TryParse(Encoding.UTF8.GetBytes(Policy), out var policy, out var error), Is.True, error);
        Assert.That((await Agent.Services.GetRequiredService<PolicyStore>().ApplyAsync(policy!, Policy, CancellationToken.None)).Applied, Is.Not.Null);
        var person = await PresentVisitorAsync(2);

        var page = await OpenScreenAsync();
        await page.GetByTestId("start").ClickAsync();
        await ExpectScreenAsync(page, "idCard");
        await page.GetByTestId("step-idCard").ClickAsync();
        await ExpectScreenAsync(page, "documentScan");
        await Expect(page.GetByTestId("document-prompt")).ToContainTextAsync("请将工作证明正面朝上平放在高拍仪下");
        await Expect(page.GetByTestId("document-prompt")).ToContainTextAsync("第 1 份，共 2 份");
        await Expect(page.GetByTestId("step-documentScan")).ToHaveTextAsync("拍摄");
        await ShotAsync(page, "document-camera-prompt");

        // The first document taken: its thumbnail, named, and the prompt moves on to the second.
        await page.GetByTestId("step-documentScan").ClickAsync();
        await Expect(page.GetByTestId("document-prompt")).ToContainTextAsync("居住证明");
        await Expect(page.GetByTestId("document-prompt")).ToContainTextAsync("第 2 份，共 2 份");
        await Expect(page.GetByTestId("scanned-page")).ToHaveTextAsync(["工作证明"]);
        await Expect(page.Locator("[data-testid=scanned-page] img[src^='data:image/']")).ToHaveCountAsync(1);
        await page.GetByTestId("lang").ClickAsync();
        await Expect(page.GetByTestId("document-prompt")).ToContainTextAsync("Lay the residence certificate face up under the document camera");
        await Expect(page.GetByTestId("scanned-page")).ToHaveTextAsync(["work certificate"]);
        await ShotAsync(page, "document-camera-second");
        await AssertNothingOfThePersonAsync(page, person.Card.IdNumber, person.Card.Name, "with a document taken");

        await page.GetByTestId("step-documentScan").ClickAsync();
        await ExpectScreenAsync(page, "commit");
        await Expect(page.GetByTestId("scanned-pages")).ToContainTextAsync("Documents taken: 2");
        await Expect(page.GetByTestId("scanned-page")).ToHaveTextAsync(["work certificate", "residence certificate"]);
        await page.GetByTestId("commit").ClickAsync();
        await ExpectScreenAsync(page, "receipt");
        await AssertNoLiveEchoAsync(page, "on the receipt");
        var recordId = await page.GetByTestId("record-number").TextContentAsync();
        var record = (await Agent.Outbox.ReadPendingAsync(1000, new HashSet<long>(), CancellationToken.None)).Records.Single(r => r.RecordId == recordId);
        Assert.That(record.Attachments.Select(a => a.AttachmentId).Where(a => a.StartsWith("document-", StringComparison.Ordinal)),
            Is.EqualTo(new[] { "document-workCertificate", "document-residenceCertificate" }));
    }

    [Test]
    [Property("SteadyFace", "")]
    public async Task The_face_step_shows_the_liveness_challenge_drawn_for_the_attempt_in_both_languages()
    {
        const string Policy = """
            {"version": 3, "levels": {"normal": {
              "steps": ["idCard", "face"], "questions": [],
              "faceAttempts": 2, "liveness": "block", "livenessChallenge": "turn", "documentTypes": [], "attachmentRetentionDays": 90}}}
            """;
        Assert.That(PolicyCommand.TryParse(Encoding.UTF8.GetBytes(Policy), out var policy, out var error), Is.True, error);
        Assert.That((await Agent.Services.GetRequiredService<PolicyStore>().ApplyAsync(policy!, Policy, CancellationToken.None)).Applied, Is.Not.Null);
        var asked = new List<string>();
        Agent.Services.GetRequiredService<CheckInSession>().Activity += (_, activity) =>
        {
            if (activity.Kind == "challenge")
            {
                lock (asked)
                {
                    asked.Add(activity.Data["challenge"]!.GetValue<string>());
                }
            }
        };
        await PresentVisitorAsync(1);
        // The Slow fault keeps the capture going for seconds, long enough to read the prompt.
        ((SimulatedFaceCamera)Agent.Services.GetRequiredService<DeviceSet>().FaceCamera).Faults.Next(SimulatedFault.Slow);

        var page = await OpenScreenAsync();
        await page.GetByTestId("start").ClickAsync();
        await ExpectScreenAsync(page, "idCard");
        await page.GetByTestId("step-idCard").ClickAsync();
        await ExpectScreenAsync(page, "consent");
        await page.GetByTestId("consent-agree").ClickAsync();
        await ExpectScreenAsync(page, "face");
        await Expect(page.GetByTestId("face-challenge")).ToHaveCountAsync(0);

        await page.GetByTestId("step-face").ClickAsync();
        var prompt = page.GetByTestId("face-challenge");
        await Expect(prompt).ToHaveAttributeAsync("data-challenge", new Regex("^turn(Left|Right)$"));
        string side;
        lock (asked)
        {
            Assert.That(asked, Has.Count.EqualTo(1));
            side = asked[0];
        }

        await Expect(prompt).ToHaveAttributeAsync("data-challenge", side);
        var (zh, en) = side == "turnLeft" ? ("请向左转头", "Turn your head to the left") : ("请向右转头", "Turn your head to the right");
        await Expect(prompt).ToContainTextAsync(zh);
        await Expect(prompt).ToContainTextAsync(en);
        await Expect(page.Locator(".face-challenge-main")).ToHaveTextAsync(zh);
        await page.GetByTestId("lang").ClickAsync();
        await Expect(page.Locator(".face-challenge-main")).ToHaveTextAsync(en);
        await Expect(page.Locator(".face-challenge-other")).ToHaveTextAsync(zh);
        await page.GetByTestId("lang").ClickAsync();
        await ShotAsync(page, "face-challenge");

        // The simulated person turns as asked: the step completes and the prompt goes with it.
        await ExpectScreenAsync(page, "commit");
        await Expect(page.GetByTestId("face-challenge")).ToHaveCountAsync(0);
    }

    [Test]
    public async Task Choices_are_tapped_and_numbers_and_dates_are_typed_on_the_digit_pad()
    {
        const string Policy = """
            {"version": 3, "levels": {"normal": {
              "steps": ["idCard", "reportAnswers"],
              "questions": [
                {"id": "employment", "text": {"zh-CN": "目前就业情况", "en": "Your current employment"}, "answerType": "text", "required": true,
                 "choices": [{"value": "employed", "text": {"zh-CN": "在职", "en": "Employed"}},
                             {"value": "unemployed", "text": {"zh-CN": "待业", "en": "Unemployed"}},
                             {"value": "student", "text": {"zh-CN": "在读", "en": "Student"}}]},
                {"id": "hoursWorked", "text": {"zh-CN": "本周工作小时数", "en": "Hours worked this week"}, "answerType": "number", "required": true},
                {"id": "nextReportDate", "text": {"zh-CN": "下次报到日期", "en": "Next report date"}, "answerType": "date", "required": true}],
              "faceAttempts": 2, "liveness": "flag", "documentTypes": [], "attachmentRetentionDays": 90}}}
            """;
        Assert.That(PolicyCommand.TryParse(Encoding.UTF8.GetBytes(Policy), out var policy, out var error), Is.True, error);
        Assert.That((await Agent.Services.GetRequiredService<PolicyStore>().ApplyAsync(policy!, Policy, CancellationToken.None)).Applied, Is.Not.Null);

        var page = await ReportScreenOfPersonOneAsync(face: false);
        await Expect(page.GetByTestId("answer-employment-student")).ToHaveTextAsync("在读");
        await Expect(page.GetByTestId("answer-employment")).ToHaveCountAsync(0);
        await page.GetByTestId("answer-employment-student").ClickAsync();
        await Expect(page.GetByTestId("answer-employment-student")).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(page.GetByTestId("answer-employment-employed")).ToHaveAttributeAsync("aria-pressed", "false");

        await page.GetByTestId("answer-hoursWorked").ClickAsync();
        await Expect(page.GetByTestId("keyboard")).ToHaveAttributeAsync("data-layout", "digits");
        await Expect(page.GetByTestId("key-q")).ToHaveCountAsync(0);
        await TapAsync(page, "37.5");
        await Expect(page.GetByTestId("answer-hoursWorked")).ToHaveValueAsync("37.5");
        await ShotAsync(page, "choices-and-digit-pad");

        await page.GetByTestId("answer-nextReportDate").ClickAsync();
        await TapAsync(page, "20261202");
        await Expect(page.GetByTestId("answer-nextReportDate")).ToHaveValueAsync("2026-12-02");
        await page.GetByTestId("key-backspace").ClickAsync();
        await TapAsync(page, "1");
        await Expect(page.GetByTestId("answer-nextReportDate")).ToHaveValueAsync("2026-12-01");
        await ShotAsync(page, "date-pad");
        await page.GetByTestId("key-done").ClickAsync();

        await page.GetByTestId("lang").ClickAsync();
        await Expect(page.GetByTestId("answer-employment-student")).ToHaveTextAsync("Student");
        await ShotAsync(page, "choices-en");
        await page.GetByTestId("step-reportAnswers").ClickAsync();
        var report = await CommitAndReadReportAsync(page);
        Assert.Multiple(() =>
        {
            Assert.That(report["employment"]!.GetValue<string>(), Is.EqualTo("student"), "the choice's value, not its label");
            Assert.That(report["hoursWorked"]!.GetValue<string>(), Is.EqualTo("37.5"));
            Assert.That(report["nextReportDate"]!.GetValue<string>(), Is.EqualTo("2026-12-01"));
        });
    }

    /// <summary>Person 1 (normal level) at the devices, the screen opened, started and clicked through to the report's questions.</summary>
    private async Task<IPage> ReportScreenOfPersonOneAsync(bool face = true)
    {
        await PresentVisitorAsync(1);

        var page = await OpenScreenAsync();
        await page.GetByTestId("start").ClickAsync();
        await ExpectScreenAsync(page, "idCard");
        await page.GetByTestId("step-idCard").ClickAsync();
        if (face)
        {
            // A level that captures a face asks consent first (person 1 is new at this kiosk).
            await ExpectScreenAsync(page, "consent");
            await page.GetByTestId("consent-agree").ClickAsync();
            await ExpectScreenAsync(page, "face");
            await page.GetByTestId("step-face").ClickAsync();
        }

        await ExpectScreenAsync(page, "reportAnswers");
        return page;
    }

    /// <summary>Taps each character's key of the on-screen keyboard (<c>key-z</c>, <c>key-3</c>, <c>key-.</c>).</summary>
    private static async Task TapAsync(IPage page, string keys)
    {
        foreach (var key in keys)
        {
            await page.GetByTestId("key-" + key).ClickAsync();
        }
    }

    /// <summary>Commits the check-in from the commit screen and returns the report's answers as stored in the outbox.</summary>
    private async Task<JsonObject> CommitAndReadReportAsync(IPage page)
    {
        await ExpectScreenAsync(page, "commit");
        await page.GetByTestId("commit").ClickAsync();
        await ExpectScreenAsync(page, "receipt");
        await Expect(page.GetByTestId("record-number")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"\S{8,}"));
        var recordId = await page.GetByTestId("record-number").TextContentAsync();
        var pending = await Agent.Outbox.ReadPendingAsync(1000, new HashSet<long>(), CancellationToken.None);
        var record = pending.Records.Single(r => r.RecordId == recordId);
        return JsonNode.Parse(Agent.Outbox.OpenBody(record))!["facts"]!["report"]!.AsObject();
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

    /// <summary>
    /// Puts person <paramref name="number"/> (1-based) of the generated roster before the simulated ID card reader and face
    /// camera, and returns them; odd numbers are at the <c>normal</c> level, even ones at <c>strict</c>.
    /// </summary>
    private async Task<SimulatedPerson> PresentVisitorAsync(int number)
    {
        using (var api = Agent.ApiClient())
        {
            (await api.PostAsJsonAsync("/api/simulation/visitor", new { person = number })).EnsureSuccessStatusCode();
        }

        return People[number - 1];
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
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (_consoleErrors)
                {
                    _consoleErrors.Add(message.Text);
                }
            }
        };
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
        if (_shot == 0 && Directory.Exists(folder))
        {
            // A test's folder holds this run's screens only, not an earlier run's under other numbers.
            Directory.Delete(folder, recursive: true);
        }

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
