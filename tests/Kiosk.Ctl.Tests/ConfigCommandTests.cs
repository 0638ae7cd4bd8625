using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using Kiosk.TestSupport;

namespace Kiosk.Ctl.Tests;

/// <summary>kioskctl config show, validate and set as a process, on files in a temporary folder.</summary>
[NonParallelizable]
public sealed class ConfigCommandTests
{
    private const string Good = """
        {
          "Logging": { "LogLevel": { "Default": "Information" } },
          "Kiosk": {
            "SiteId": "site-1",
            "KioskId": "kiosk-01",
            "Profile": "demo",
            "DataFolder": "/var/lib/kiosk",
            "Sync": { "BrokerHost": "broker.example", "BrokerPort": 1883, "Tls": { "Enabled": false } },
            "Devices": {
              "FingerprintReader": "R30x",
              "R30x": { "PortName": "/dev/ttyUSB1", "Password": 305419896 }
            }
          }
        }
        """;

    private TempFolder _folder = null!;

    [SetUp]
    public void MakeFolder() => _folder = new TempFolder("config");

    [TearDown]
    public void RemoveFolder() => _folder.Dispose();

    private string Write(string json, string name = "agent.json")
    {
        var path = _folder.File(name);
        File.WriteAllText(path, json);
        return path;
    }

    /// <summary>The good file with <paramref name="change"/> applied to its Kiosk section.</summary>
    private string WriteGoodWith(Action<JsonObject> change)
    {
        var root = JsonNode.Parse(Good)!.AsObject();
        change(root["Kiosk"]!.AsObject());
        return Write(root.ToJsonString());
    }

    [Test]
    public async Task Show_prints_every_key_and_redacts_secrets()
    {
        var path = WriteGoodWith(k =>
        {
            k["Sync"]!["Tls"]!["PrivateKeyPassphrase"] = "pem-pass-9";
            k["ApiToken"] = "tok-12345";
            k["Enrollment"] = new JsonObject { ["ClientSecret"] = "s3cret-xyz" };
        });

        var (exit, table, _) = await KioskctlProcess.RunAsync("config", "show", "--config", path);
        var (jsonExit, json, _) = await KioskctlProcess.RunAsync("config", "show", "--json", "--config", path);

        Assert.That(exit, Is.Zero);
        Assert.That(table, Does.Contain("Kiosk:Sync:BrokerPort").And.Contain("1883").And.Contain("broker.example").And.Contain("<redacted>"));
        Assert.That(jsonExit, Is.Zero);
        foreach (var secret in new[] { "305419896", "pem-pass-9", "tok-12345", "s3cret-xyz" })
        {
            Assert.That(table, Does.Not.Contain(secret));
            Assert.That(json, Does.Not.Contain(secret));
        }

        var shown = JsonNode.Parse(json)!;
        Assert.That(shown["Kiosk"]!["Devices"]!["R30x"]!["Password"]!.GetValue<string>(), Is.EqualTo("<redacted>"));
        Assert.That(shown["Kiosk"]!["Enrollment"]!["ClientSecret"]!.GetValue<string>(), Is.EqualTo("<redacted>"));
        Assert.That(shown["Kiosk"]!["Devices"]!["R30x"]!["PortName"]!.GetValue<string>(), Is.EqualTo("/dev/ttyUSB1"), "only secrets are hidden");
        Assert.That(shown["Kiosk"]!["Sync"]!["BrokerPort"]!.GetValue<int>(), Is.EqualTo(1883));
    }

    [Test]
    public async Task Validate_passes_a_good_file()
    {
        var (exit, stdout, stderr) = await KioskctlProcess.RunAsync("config", "validate", "--config", Write(Good));

        Assert.That(exit, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("valid"));
    }

    [Test]
    public async Task Validate_lists_two_problems_at_once_each_with_its_key_and_fix()
    {
        var path = WriteGoodWith(k =>
        {
            k["Sync"]!["BrokerPort"] = 70000;
            k["Sync"]!["ChunkBytes"] = "lots";
        });

        var (exit, stdout, _) = await KioskctlProcess.RunAsync("config", "validate", "--json", "--config", path);
        var problems = JsonNode.Parse(stdout)!["problems"]!.AsArray().Select(p => p!.GetValue<string>()).ToList();

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(problems, Has.Count.EqualTo(2));
        Assert.That(problems, Has.One.Contains("Kiosk:Sync:BrokerPort").And.Contains("between 1 and 65535"));
        Assert.That(problems, Has.One.Contains("Kiosk:Sync:ChunkBytes 'lots'").And.Contains("whole number"));
    }

    [Test]
    public async Task Validate_checks_what_the_agent_checks_on_start_across_sections()
    {
        var path = WriteGoodWith(k =>
        {
            k["SiteId"] = "bad site!";
            k["Profile"] = "production"; // then mutual TLS is required
            k["Session"] = new JsonObject { ["FaceAttempts"] = 0 };
            k["Outbox"] = new JsonObject { ["WarningPercent"] = 95 };
            k["Devices"]!["FaceCamera"] = "Webcam";
        });

        var (exit, stdout, _) = await KioskctlProcess.RunAsync("config", "validate", "--json", "--config", path);
        var problems = JsonNode.Parse(stdout)!["problems"]!.AsArray().Select(p => p!.GetValue<string>()).ToList();

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(problems, Has.One.StartsWith("Kiosk:SiteId"));
        Assert.That(problems, Has.One.StartsWith("Kiosk:Sync:Tls:Enabled").And.Contains("kioskctl enroll"));
        Assert.That(problems, Has.One.StartsWith("Kiosk:Session:FaceAttempts"));
        Assert.That(problems, Has.One.StartsWith("Kiosk:Outbox:WarningPercent"));
        Assert.That(problems, Has.One.StartsWith("Kiosk:Devices:FaceCamera 'Webcam'").And.Contains("OpenCv, None"));
    }

    [Test]
    public async Task Validate_knows_the_keys_kioskctl_itself_writes_and_checks_what_a_driver_needs()
    {
        var path = WriteGoodWith(k =>
        {
            k["Provisioning"] = new JsonObject { ["Port"] = 8884, ["CommandSigningKeyFile"] = "/etc/kiosk/pki/command-signing.pub" };
            k["Devices"]!["DocumentScanner"] = "Sane";
        });

        var (exit, stdout, _) = await KioskctlProcess.RunAsync("config", "validate", "--json", "--config", path);
        var report = JsonNode.Parse(stdout)!;

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(report["notes"]!.AsArray().Select(n => n!.GetValue<string>()), Has.None.Contains("Kiosk:Provisioning"), "written by init and enroll: not a misspelling");
        Assert.That(report["problems"]!.AsArray().Select(p => p!.GetValue<string>()), Has.One.StartsWith("Kiosk:Devices:Sane: DeviceName is empty"));
    }

    [Test]
    public async Task Validate_refuses_simulated_devices_and_a_generated_roster_naming_each_key_and_its_fix()
    {
        var path = WriteGoodWith(k =>
        {
            k["Devices"]!["IdCardReader"] = "Simulated";
            k["Roster"] = new JsonObject { ["SimulatedPeople"] = 24 };
        });

        var (exit, stdout, _) = await KioskctlProcess.RunAsync("config", "validate", "--json", "--config", path);
        var problems = JsonNode.Parse(stdout)!["problems"]!.AsArray().Select(p => p!.GetValue<string>()).ToList();

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(problems, Has.One.StartsWith("Kiosk:Devices:IdCardReader 'Simulated' is a simulator").And.Contains("Sam, None"));
        Assert.That(problems, Has.One.StartsWith("Kiosk:Roster:SimulatedPeople '24'").And.Contains("remove the key"));
    }

    [Test]
    public async Task Validate_notes_a_misspelt_key_the_agent_would_ignore()
    {
        var path = WriteGoodWith(k => k["Sync"]!["BrokerPrt"] = 8883);

        var (exit, stdout, _) = await KioskctlProcess.RunAsync("config", "validate", "--json", "--config", path);
        var report = JsonNode.Parse(stdout)!;

        Assert.That(exit, Is.Zero, "the agent starts with it; the key just has no effect");
        Assert.That(report["notes"]!.AsArray().Select(n => n!.GetValue<string>()), Has.One.Contains("Kiosk:Sync:BrokerPrt").And.Contains("did you mean Kiosk:Sync:BrokerPort"));
    }

    [Test]
    public async Task Invalid_JSON_exits_3_with_the_line_and_position()
    {
        var path = Write("{\n  \"Kiosk\": {\n    \"SiteId\": \"site-1\"\n    \"KioskId\": \"kiosk-01\"\n  }\n}\n");

        var (exit, stdout, stderr) = await KioskctlProcess.RunAsync("config", "validate", "--config", path);
        var (setExit, _, setError) = await KioskctlProcess.RunAsync("config", "set", "Kiosk:SiteId", "x", "--config", path);

        Assert.That(exit, Is.EqualTo(3));
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr, Does.Contain(path).And.Contain("not valid JSON at line 4, position 5"));
        Assert.That(setExit, Is.EqualTo(3));
        Assert.That(setError, Does.Contain("line 4, position 5"));
    }

    [Test]
    public async Task A_missing_file_exits_3_naming_the_path_and_the_fix()
    {
        var missing = _folder.File("absent.json");

        var (exit, _, stderr) = await KioskctlProcess.RunAsync("config", "show", "--config", missing);

        Assert.That(exit, Is.EqualTo(3));
        Assert.That(stderr, Does.Contain(missing).And.Contain("kioskctl init").And.Contain("--config"));
    }

    [Test]
    [UnsupportedOSPlatform("windows")] // Unix file modes
    public async Task Set_changes_one_value_and_keeps_the_rest_and_the_file_mode()
    {
        var path = Write(Good);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);

        var (exit, stdout, stderr) = await KioskctlProcess.RunAsync("config", "set", "Kiosk:Sync:BrokerPort", "8883", "--config", path);

        Assert.That(exit, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("Kiosk:Sync:BrokerPort: 1883 -> 8883"));
        var after = JsonNode.Parse(File.ReadAllText(path))!;
        var expected = JsonNode.Parse(Good)!;
        expected["Kiosk"]!["Sync"]!["BrokerPort"] = 8883;
        Assert.That(JsonNode.DeepEquals(after, expected), Is.True, after.ToJsonString());
        Assert.That(after["Kiosk"]!["Sync"]!["BrokerPort"]!.GetValueKind(), Is.EqualTo(System.Text.Json.JsonValueKind.Number));
        Assert.That(File.GetUnixFileMode(path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead));
        Assert.That(Directory.GetFiles(_folder.Path), Is.EqualTo(new[] { path }), "no temporary file is left behind");
    }

    [Test]
    public async Task Set_refuses_an_invalid_value_and_leaves_the_file_byte_identical()
    {
        var path = Write(Good);
        var before = File.ReadAllBytes(path);

        var (exit, stdout, stderr) = await KioskctlProcess.RunAsync("config", "set", "Kiosk:Sync:BrokerPort", "70000", "--config", path);
        var (textExit, _, textError) = await KioskctlProcess.RunAsync("config", "set", "Kiosk:Sync:BrokerPort", "eighty", "--config", path);

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr, Does.Contain("Kiosk:Sync:BrokerPort must be a TCP port between 1 and 65535").And.Contain("unchanged"));
        Assert.That(textExit, Is.EqualTo(1));
        Assert.That(textError, Does.Contain("Kiosk:Sync:BrokerPort 'eighty' is not a whole number"));
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(before));
    }

    [Test]
    public async Task Set_creates_sections_and_types_values_as_the_options_do()
    {
        var path = Write("""{ "Kiosk": { "SiteId": "site-1", "KioskId": "kiosk-01", "Profile": "demo" } }""");

        var port = await KioskctlProcess.RunAsync("config", "set", "Kiosk:Devices:Sam:PortName", "/dev/ttyUSB3", "--config", path);
        var baud = await KioskctlProcess.RunAsync("config", "set", "Kiosk:Devices:Sam:BaudRate", "9600", "--config", path);
        var tls = await KioskctlProcess.RunAsync("config", "set", "kiosk:sync:tls:enabled", "true", "--config", path);
        var id = await KioskctlProcess.RunAsync("config", "set", "Kiosk:KioskId", "0042", "--config", path);

        Assert.That(new[] { port.ExitCode, baud.ExitCode, tls.ExitCode, id.ExitCode }, Is.All.Zero);
        Assert.That(port.Stdout, Does.Contain("Kiosk:Devices:Sam:PortName: (not set) -> /dev/ttyUSB3"));
        var file = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.That(file["Kiosk"]!["Devices"]!["Sam"]!["PortName"]!.GetValue<string>(), Is.EqualTo("/dev/ttyUSB3"));
        Assert.That(file["Kiosk"]!["Devices"]!["Sam"]!["BaudRate"]!.GetValue<int>(), Is.EqualTo(9600), "an int option gets a JSON number");
        Assert.That(file["Kiosk"]!["Sync"]!["Tls"]!["Enabled"]!.GetValue<bool>(), Is.True, "a bool option gets a JSON boolean, spelt as the option spells it");
        Assert.That(file["Kiosk"]!["KioskId"]!.GetValue<string>(), Is.EqualTo("0042"), "a string option stays a string even when it looks like a number");
    }

    [Test]
    public async Task Set_refuses_keys_outside_the_known_sections_and_misspelt_keys()
    {
        var path = Write(Good);
        var before = File.ReadAllBytes(path);

        var (outside, _, outsideError) = await KioskctlProcess.RunAsync("config", "set", "Broker:Port", "8883", "--config", path);
        var (misspelt, _, misspeltError) = await KioskctlProcess.RunAsync("config", "set", "Kiosk:Sync:BrokerPrt", "8883", "--config", path);

        Assert.That(outside, Is.EqualTo(2));
        Assert.That(outsideError, Does.Contain("Kiosk and Logging"));
        Assert.That(misspelt, Is.EqualTo(2));
        Assert.That(misspeltError, Does.Contain("did you mean Kiosk:Sync:BrokerPort"));
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(before));
    }

    [Test]
    public async Task Set_fixes_one_key_of_a_file_that_still_has_other_problems()
    {
        var path = Write("""{ "Kiosk": { "SiteId": "", "KioskId": "", "Profile": "demo" } }""");

        var (exit, stdout, stderr) = await KioskctlProcess.RunAsync("config", "set", "Kiosk:SiteId", "site-1", "--config", path);

        Assert.That(exit, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("Kiosk:SiteId: \"\" -> site-1").And.Contain("still has 1 problem"));
        Assert.That(JsonNode.Parse(File.ReadAllText(path))!["Kiosk"]!["SiteId"]!.GetValue<string>(), Is.EqualTo("site-1"));
    }

    [Test]
    public async Task Set_prints_no_secret_and_a_misspelt_step_is_refused()
    {
        var path = Write(Good);

        var (exit, stdout, _) = await KioskctlProcess.RunAsync("config", "set", "Kiosk:Devices:R30x:Password", "99", "--config", path);
        var (stepExit, _, stepError) = await KioskctlProcess.RunAsync("config", "set", "Kiosk:Session:Levels:strict:0", "IdCrad", "--config", path);

        Assert.That(exit, Is.Zero);
        Assert.That(stdout, Does.Contain("Kiosk:Devices:R30x:Password: <redacted> -> <redacted>").And.Not.Contain("305419896"));
        Assert.That(JsonNode.Parse(File.ReadAllText(path))!["Kiosk"]!["Devices"]!["R30x"]!["Password"]!.GetValue<long>(), Is.EqualTo(99));
        Assert.That(stepExit, Is.EqualTo(1));
        Assert.That(stepError, Does.Contain("'IdCrad' is not a step"));
    }

    /// <summary>The good file with its data folder in the test's folder, and the platform's settings there.</summary>
    private (string Config, string Platform) WriteWithPlatform(string platformJson)
    {
        var data = _folder.File("data");
        Directory.CreateDirectory(data);
        var config = WriteGoodWith(k => k["DataFolder"] = data);
        var platform = Path.Combine(data, "platform-config.json");
        File.WriteAllText(platform, platformJson);
        return (config, platform);
    }

    [Test]
    public async Task Show_marks_the_values_the_platform_sets_and_names_the_keys_the_agent_ignores_there()
    {
        var (path, platform) = WriteWithPlatform("""{ "Kiosk": { "Sync": { "BrokerPort": 8883, "KeepAlive": "00:00:20" }, "DataFolder": "/tmp/elsewhere" } }""");

        var (exit, table, stderr) = await KioskctlProcess.RunAsync("config", "show", "--config", path);
        var (validExit, valid, _) = await KioskctlProcess.RunAsync("config", "validate", "--config", path);

        Assert.That(exit, Is.Zero, stderr);
        var lines = table.Split('\n').Where(l => l.Contains('│', StringComparison.Ordinal)).ToList();
        Assert.That(lines.Single(l => l.Contains("Kiosk:Sync:BrokerPort", StringComparison.Ordinal)), Does.Contain("8883").And.Contain("platform"));
        Assert.That(table, Does.Contain("note: Kiosk:Sync:BrokerPort is 1883 in this file; the platform's value wins."));
        Assert.That(lines.Single(l => l.Contains("Kiosk:Sync:KeepAlive", StringComparison.Ordinal)), Does.Contain("00:00:20").And.Contain("platform"));
        Assert.That(lines.Single(l => l.Contains("Kiosk:Sync:BrokerHost", StringComparison.Ordinal)), Does.Contain("this file"));
        Assert.That(lines.Single(l => l.Contains("Kiosk:DataFolder", StringComparison.Ordinal)), Does.Not.Contain("elsewhere"), "the agent does not take the data folder from the platform");
        Assert.That(stderr, Does.Contain("Kiosk:DataFolder").And.Contain("ignores").And.Contain(platform));
        Assert.That(validExit, Is.Zero);
        Assert.That(valid, Does.Contain("platform"));
    }

    [Test]
    public async Task Set_of_a_key_the_platform_also_sets_warns_that_the_platforms_value_wins()
    {
        var (path, platform) = WriteWithPlatform("""{ "Kiosk": { "Sync": { "BrokerPort": 8883 } } }""");
        var platformBefore = File.ReadAllBytes(platform);

        var (exit, stdout, stderr) = await KioskctlProcess.RunAsync("config", "set", "Kiosk:Sync:BrokerPort", "1884", "--config", path);
        var (otherExit, other, _) = await KioskctlProcess.RunAsync("config", "set", "Kiosk:Sync:BrokerHost", "broker2.example", "--config", path);

        Assert.That(exit, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("Kiosk:Sync:BrokerPort: 1883 -> 1884"));
        Assert.That(stdout, Does.Contain("warning: the platform's settings").And.Contain("Kiosk:Sync:BrokerPort = 8883").And.Contain("platform's value wins"));
        Assert.That(JsonNode.Parse(File.ReadAllText(path))!["Kiosk"]!["Sync"]!["BrokerPort"]!.GetValue<int>(), Is.EqualTo(1884), "the technician's file is still changed");
        Assert.That(File.ReadAllBytes(platform), Is.EqualTo(platformBefore), "kioskctl never writes the platform's file");
        Assert.That(otherExit, Is.Zero);
        Assert.That(other, Does.Not.Contain("warning"));
    }
}
