using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Kiosk.Agent.LocalApi;
using Kiosk.TestSupport;
using Microsoft.Extensions.Configuration;

namespace Kiosk.Agent.Tests.LocalApi;

/// <summary>
/// The screen keyboard's pinyin table: what deploy/render-pinyin.sh makes of Debian's Unihan (readings, order, size), and
/// how the agent serves it at /screen/pinyin.json, or answers 404 so the screen offers letters and digits only.
/// </summary>
[NonParallelizable]
public sealed partial class PinyinTableTests
{
    private TempFolder _folder = null!;
    private Dictionary<string, string>? _syllables;
    private string _file = "";

    [OneTimeSetUp]
    public void CreateFolder()
    {
        _folder = new TempFolder("pinyin-table");
        _file = _folder.File("screen/pinyin.json");
    }

    [OneTimeTearDown]
    public void RemoveFolder() => _folder.Dispose();

    /// <summary>Rendered once for the fixture (about a second); the test is ignored without unicode-data.</summary>
    private Dictionary<string, string> Syllables()
    {
        if (_syllables is null)
        {
            PinyinTables.Render(_file);
            using var json = JsonDocument.Parse(File.ReadAllBytes(_file));
            Assert.That(json.RootElement.GetProperty("format").GetInt32(), Is.EqualTo(1));
            _syllables = json.RootElement.GetProperty("syllables").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        }

        return _syllables;
    }

    private int IndexIn(string syllable, string character) =>
        Syllables()[syllable].EnumerateRunes().Select(r => r.ToString()).ToList().IndexOf(character);

    [Test]
    public void Known_readings_are_there_with_toneless_syllables_and_v_for_u_umlaut()
    {
        var table = Syllables();
        Assert.Multiple(() =>
        {
            Assert.That(table["zhu"], Does.Contain("住"));
            Assert.That(table["shi"], Does.Contain("是"));
            Assert.That(table["lv"], Does.Contain("绿"), "ü is typed v");
            Assert.That(table["xing"], Does.Contain("行"), "a polyphone under each of its readings");
            Assert.That(table["hang"], Does.Contain("行"));
            Assert.That(table["liu"], Does.Contain("刘"), "a surname kHanyuPinlu does not count is still there");
            Assert.That(table.Keys.Where(k => !SyllablePattern().IsMatch(k)), Is.Empty, "syllables are plain lower-case letters");
            Assert.That(table.ContainsKey("ti") && table["ti"].Contains('是', StringComparison.Ordinal), Is.False, "是's classical reading tí (kHanyuPinyin) is left out");
        });
    }

    [Test]
    public void Candidates_come_most_used_first()
    {
        Assert.Multiple(() =>
        {
            Assert.That(IndexIn("shi", "是"), Is.Zero, "是 is the most used shi");
            foreach (var rare in new[] { "筮", "埘", "莳", "鲥", "轼" })
            {
                Assert.That(IndexIn("shi", "是"), Is.LessThan(IndexIn("shi", rare)), $"是 before the rare {rare}");
            }

            Assert.That(IndexIn("zhu", "住"), Is.LessThan(8), "住 is on the first page of zhu");
            Assert.That(IndexIn("de", "的"), Is.Zero);
            Assert.That(IndexIn("liu", "刘"), Is.LessThan(IndexIn("liu", "鎏")), "kFrequency orders what kHanyuPinlu does not count");
        });
    }

    [Test]
    public void The_table_holds_the_common_characters_and_stays_small()
    {
        var table = Syllables();
        var characters = table.Values.SelectMany(v => v.EnumerateRunes()).Distinct().Count();
        Assert.Multiple(() =>
        {
            Assert.That(table, Has.Count.InRange(380, 450), "about 410 syllables of Mandarin");
            Assert.That(characters, Is.InRange(7000, 9000), "the 8105 characters of the 通用规范汉字表");
            Assert.That(new FileInfo(_file).Length, Is.InRange(10_000, 300_000), "tens of KB, not the whole of Unihan");
        });
    }

    [Test]
    public async Task The_agent_serves_the_table_and_answers_404_without_one()
    {
        Syllables();
        using var folder = new TempFolder("pinyin-serve");
        await using (var agent = new TestAgent(FreePort.Next(), folder.File("with"), new Dictionary<string, string?> { [PinyinTableFile.Key] = _file }))
        {
            await agent.StartAsync();
            using var api = agent.ApiClient();
            using var response = await api.GetAsync("/screen/pinyin.json");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
            Assert.That(response.Headers.GetValues("X-Content-Type-Options"), Does.Contain("nosniff"));
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(File.ReadAllBytes(_file)));
        }

        await using (var agent = new TestAgent(FreePort.Next(), folder.File("without"), new Dictionary<string, string?> { [PinyinTableFile.Key] = folder.File("missing/pinyin.json") }))
        {
            await agent.StartAsync();
            using var api = agent.ApiClient();
            using var response = await api.GetAsync("/screen/pinyin.json");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "the screen then types letters and digits only");
            using var keyboard = await api.GetAsync("/screen/keyboard.js");
            Assert.That(keyboard.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the keyboard itself is part of the agent");
        }
    }

    [Test]
    public void A_relative_table_path_is_under_the_agent_s_program_folder()
    {
        var defaults = new ConfigurationBuilder().Build();
        Assert.That(PinyinTableFile.PathOf(defaults), Is.EqualTo(Path.Combine(AppContext.BaseDirectory, "screen", "pinyin.json")));
        var configured = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [PinyinTableFile.Key] = "/opt/kiosk/pinyin.json" }).Build();
        Assert.That(PinyinTableFile.PathOf(configured), Is.EqualTo(Path.GetFullPath("/opt/kiosk/pinyin.json")));
    }

    [GeneratedRegex("^[a-z]+$")]
    private static partial Regex SyllablePattern();
}
