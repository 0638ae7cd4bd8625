using System.Text;
using Kiosk.Ctl.Config;

namespace Kiosk.Ctl.Tests;

/// <summary>
/// Configuration files whose text is broken, found by fuzzing (fuzz/regressions/config-file): each is a
/// ConfigFileException that says what to do (exit code 3 in every command), never an unhandled exception half way
/// through `config show`.
/// </summary>
[TestFixture]
public sealed class ConfigFileTests
{
    [Test]
    public void A_file_with_a_key_that_is_not_utf8_is_refused_saying_to_save_it_as_utf8()
    {
        byte[] bytes = [.. """{"Kiosk":{"Site"""u8, 0xB0, .. """Id":"s"}}"""u8];

        Assert.That(() => ConfigFile.Parse("/etc/kiosk/agent.json", bytes), Throws.TypeOf<ConfigFileException>().With.Message.Contains("Save it as UTF-8"));
    }

    [Test]
    public void A_file_with_a_value_that_is_not_utf8_is_refused_before_config_show_reads_it()
    {
        byte[] bytes = [.. """{"Kiosk":{"SiteId":"s"""u8, 0x8E, .. "\"}}"u8];

        Assert.That(() => ConfigFile.Parse("/etc/kiosk/agent.json", bytes), Throws.TypeOf<ConfigFileException>().With.Message.Contains("not UTF-8"));
    }

    [TestCase("""{"Kiosk":{"\ud800":"s"}}""")]
    [TestCase("""{"Kiosk":{"SiteId":"\udfff"}}""")]
    public void A_file_with_an_escaped_half_surrogate_pair_is_refused_naming_the_escape(string json)
    {
        Assert.That(() => ConfigFile.Parse("/etc/kiosk/agent.json", Encoding.UTF8.GetBytes(json)), Throws.TypeOf<ConfigFileException>().With.Message.Contains("escape"));
    }

    [Test]
    public void A_good_file_flattens_to_the_agents_keys()
    {
        var file = ConfigFile.Parse("/etc/kiosk/agent.json", """{"Kiosk":{"SiteId":"站点-1","Sync":{"BrokerPort":8883}}}"""u8.ToArray());

        Assert.That(ConfigFile.Flatten(file.Root).Select(l => (l.Key, ConfigFile.Display(l.Value))), Is.EqualTo(new[] { ("Kiosk:SiteId", "站点-1"), ("Kiosk:Sync:BrokerPort", "8883") }));
    }
}
