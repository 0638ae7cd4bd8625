using System.Text;
using Kiosk.Agent.Control;
using Kiosk.Agent.Configuration.Editing;

namespace Kiosk.Agent.Tests.Control;

/// <summary>The command bodies' parsers (fuzz entry points): what they accept, what they say about the rest, and that they never throw.</summary>
public sealed class CommandBodyTests
{
    [Test]
    public void ValidBodiesParse()
    {
        Assert.That(ConfigCommandBody.TryParse("""{"commandId":"c-1","set":{"Kiosk:Sync:MaxMessagesPerSecond":"50","Kiosk:Sync:BrokerPort":1883},"remove":["Kiosk:Sync:KeepAlive"]}"""u8, out var config, out var error), Is.True, error);
        Assert.That(config!.Edits.Select(e => (e.Key, e.Value)), Is.EqualTo(new (string, string?)[] { ("Kiosk:Sync:MaxMessagesPerSecond", "50"), ("Kiosk:Sync:BrokerPort", "1883"), ("Kiosk:Sync:KeepAlive", null) }));

        Assert.That(LogsCommandBody.TryParse("""{"commandId":"c-2","hours":72}"""u8, out var logs, out error), Is.True, error);
        Assert.That(logs!.Hours, Is.EqualTo(72));

        Assert.That(AlertDispositionBody.TryParse("""{"commandId":"c-3","alertRecordId":"0193A4C1-7E2A-7B3C-9D4E-5F6A7B8C9D0E","disposition":"acknowledged","by":" 王警官 ","note":null}"""u8, out var alert, out error), Is.True, error);
        Assert.That(alert!.AlertRecordId, Is.EqualTo("0193a4c1-7e2a-7b3c-9d4e-5f6a7b8c9d0e"));
        Assert.That(alert.By, Is.EqualTo("王警官"));
        Assert.That(alert.Note, Is.Null);
    }

    [TestCase("""{"commandId":"c","set":{}}""", "nothing to change")]
    [TestCase("""{"commandId":"c","set":{"Kiosk:Sync:BrokerPort":"1","kiosk:sync:brokerport":"2"}}""", "given twice")]
    [TestCase("""{"commandId":"c","set":{"Kiosk:Sync:BrokerPort":null}}""", "use \"remove\"")]
    [TestCase("""{"commandId":"c","set":{"A":"1"},"force":true}""", "'force' is not a field")]
    [TestCase("""{"set":{"A":"1"}}""", "'commandId'")]
    [TestCase("""[1]""", "JSON object")]
    [TestCase("""{"commandId":"c","set":""", "not valid JSON")]
    public void BadConfigBodiesAreRefusedWithTheReason(string json, string reason)
    {
        Assert.That(ConfigCommandBody.TryParse(Encoding.UTF8.GetBytes(json), out _, out var error), Is.False);
        Assert.That(error, Does.Contain(reason));
    }

    [TestCase("""{"commandId":"c","hours":0}""")]
    [TestCase("""{"commandId":"c","hours":1.5}""")]
    [TestCase("""{"commandId":"c","hours":"2"}""")]
    [TestCase("""{"commandId":"c"}""")]
    public void BadHoursAreRefused(string json) =>
        Assert.That(LogsCommandBody.TryParse(Encoding.UTF8.GetBytes(json), out _, out var error), Is.False, error);

    [TestCase("""{"commandId":"c","alertRecordId":"17","disposition":"resolved"}""", "'alertRecordId'")]
    [TestCase("""{"commandId":"c","alertRecordId":"0193a4c1-7e2a-7b3c-9d4e-5f6a7b8c9d0e","disposition":"Resolved"}""", "'disposition'")]
    [TestCase("""{"commandId":"c","alertRecordId":"0193a4c1-7e2a-7b3c-9d4e-5f6a7b8c9d0e","disposition":"resolved","note":"a\u0000b"}""", "'note'")]
    public void BadDispositionsAreRefusedWithTheReason(string json, string reason)
    {
        Assert.That(AlertDispositionBody.TryParse(Encoding.UTF8.GetBytes(json), out _, out var error), Is.False);
        Assert.That(error, Does.Contain(reason));
    }

    [Test]
    public void NoInputThrows()
    {
        var seeds = new[]
        {
            """{"commandId":"c-1","set":{"Kiosk:Sync:MaxMessagesPerSecond":"50"},"remove":["Kiosk:Sync:KeepAlive"]}"""u8.ToArray(),
            """{"commandId":"c-2","hours":72}"""u8.ToArray(),
            """{"commandId":"c-3","alertRecordId":"0193a4c1-7e2a-7b3c-9d4e-5f6a7b8c9d0e","disposition":"acknowledged","by":"x","note":"y"}"""u8.ToArray(),
            """{"commandId":"c","set":{"\ud800":"\udc00"}}"""u8.ToArray(),
            Encoding.UTF8.GetBytes(new string('[', 10_000)),
            [0xEF, 0xBB, 0xBF, 0xFF, 0xFE],
        };
        var random = new Random(20261206);
        var inputs = new List<byte[]>(seeds);
        foreach (var seed in seeds)
        {
            for (var cut = 0; cut <= seed.Length; cut += 3)
            {
                inputs.Add(seed[..cut]);
            }

            for (var i = 0; i < 300; i++)
            {
                var mutated = (byte[])seed.Clone();
                if (mutated.Length > 0)
                {
                    mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
                }

                inputs.Add(mutated);
            }
        }

        foreach (var input in inputs)
        {
            Assert.DoesNotThrow(() =>
            {
                Assert.That(ConfigCommandBody.TryParse(input, out var a, out var e1), Is.EqualTo(a is not null && e1 is null));
                Assert.That(LogsCommandBody.TryParse(input, out var b, out var e2), Is.EqualTo(b is not null && e2 is null));
                Assert.That(AlertDispositionBody.TryParse(input, out var c, out var e3), Is.EqualTo(c is not null && e3 is null));
            });
        }
    }

    [TestCase("Kiosk:SiteId")]
    [TestCase("kiosk:profile")]
    [TestCase("Kiosk:DataFolder")]
    [TestCase("Kiosk:Sync:Tls:Enabled")]
    [TestCase("Kiosk:Provisioning:CommandSigningKeyFile")]
    [TestCase("Kiosk:Outbox:KeyFile")]
    [TestCase("Kiosk:LocalApi:Url")]
    [TestCase("Kiosk:Devices:Printer:Options:ApiToken")]
    [TestCase("Kiosk:Devices:Camera:Options:CalibrationFile")]
    [TestCase("Kiosk:Devices:IdCardReader")]
    [TestCase("Kiosk:Devices:Sam:PortName")]
    [TestCase("kiosk:devices:opencv:source")]
    [TestCase("Kiosk:Devices:ClimateSensorI2cBus")]
    public void KeysThatMayNotChangeRemotelyAreDenied(string key) =>
        Assert.That(RemoteConfigPolicy.WhyDenied(key), Does.Contain(key).And.Contain("kioskctl config set"));

    [Test]
    public void EveryDeviceClassesDriverIsSetAtTheKioskBecauseTheUnitAllowsOnlyItsNodes()
    {
        Assert.Multiple(() =>
        {
            foreach (var deviceClass in Enum.GetNames<Kiosk.Devices.DeviceClass>())
            {
                Assert.That(RemoteConfigPolicy.WhyDenied($"Kiosk:Devices:{deviceClass}"), Does.Contain("install.ps1 -UpdateDevices"), deviceClass);
            }
        });
    }

    [TestCase("Kiosk:Sync:MaxMessagesPerSecond")]
    [TestCase("Kiosk:Sync:BrokerPort")]
    [TestCase("Kiosk:Session:IdleTimeout")]
    [TestCase("Logging:LogLevel:Default")]
    [TestCase("Kiosk:Devices:DocumentOpenCv:JpegQuality")]
    [TestCase("Kiosk:Devices:FaceCameraOptions")]
    public void OrdinaryKeysAreAllowed(string key) => Assert.That(RemoteConfigPolicy.WhyDenied(key), Is.Null);
}
