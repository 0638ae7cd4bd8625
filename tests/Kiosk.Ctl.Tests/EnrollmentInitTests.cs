using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Kiosk.TestSupport;

namespace Kiosk.Ctl.Tests;

/// <summary>kioskctl init as a process: the device key, its certificate request and the configuration file.</summary>
public sealed class EnrollmentInitTests
{
    private TempFolder _folder = null!;

    private string ConfigPath => Path.Combine(_folder.Path, "etc", "agent.json");

    private string Pki(string name) => Path.Combine(_folder.Path, "etc", "pki", name);

    [SetUp]
    public void SetUp() => _folder = new TempFolder("kioskctl-init");

    [TearDown]
    public void TearDown() => _folder.Dispose();

    [Test]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Init_writes_an_owner_only_key_a_request_for_it_and_the_configuration_keeping_other_keys()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(ConfigPath)!);
        await File.WriteAllTextAsync(ConfigPath, """
            {
              // written by hand
              "Kiosk": { "DataFolder": "/var/lib/kiosk", "Sync": { "ChunkBytes": 65536, "Tls": { "TargetHost": "broker.example" } } },
              "Logging": { "LogLevel": { "Default": "Warning" } },
            }
            """);

        var run = await KioskctlProcess.RunAsync("init", "--site", "site-01", "--kiosk", "kiosk_07", "--broker", "mqtts://broker.example:8883", "--provisioning-port", "18884", "--config", ConfigPath, "--json");

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(File.GetUnixFileMode(Pki("device.key")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        using var key = ECDsa.Create();
        key.ImportFromPem(await File.ReadAllTextAsync(Pki("device.key")));
        Assert.That(key.ExportParameters(false).Curve.Oid.Value, Is.EqualTo(ECCurve.NamedCurves.nistP256.Oid.Value));

        // Loading with the default options verifies the request's signature with the key it carries.
        var request = CertificateRequest.LoadSigningRequestPem(await File.ReadAllTextAsync(Pki("device.csr")), HashAlgorithmName.SHA256);
        Assert.That(request.SubjectName.Name, Is.EqualTo("CN=kiosk-site-01-kiosk_07"));
        Assert.That(request.PublicKey.ExportSubjectPublicKeyInfo(), Is.EqualTo(key.ExportSubjectPublicKeyInfo()));

        var config = JsonNode.Parse(await File.ReadAllTextAsync(ConfigPath))!;
        var kiosk = config["Kiosk"]!;
        Assert.That((string?)kiosk["SiteId"], Is.EqualTo("site-01"));
        Assert.That((string?)kiosk["KioskId"], Is.EqualTo("kiosk_07"));
        Assert.That((string?)kiosk["Profile"], Is.EqualTo("production"));
        Assert.That((string?)kiosk["Sync"]!["BrokerHost"], Is.EqualTo("broker.example"));
        Assert.That((int?)kiosk["Sync"]!["BrokerPort"], Is.EqualTo(8883));
        Assert.That((int?)kiosk["Provisioning"]!["Port"], Is.EqualTo(18884));
        Assert.That((string?)kiosk["Sync"]!["Tls"]!["ClientKeyFile"], Is.EqualTo(Pki("device.key")));
        Assert.That((bool?)kiosk["Sync"]!["Tls"]!["Enabled"], Is.False, "not before enrollment");
        Assert.That((string?)kiosk["DataFolder"], Is.EqualTo("/var/lib/kiosk"), "kept");
        Assert.That((int?)kiosk["Sync"]!["ChunkBytes"], Is.EqualTo(65536), "kept");
        Assert.That((string?)kiosk["Sync"]!["Tls"]!["TargetHost"], Is.EqualTo("broker.example"), "kept");
        Assert.That((string?)config["Logging"]!["LogLevel"]!["Default"], Is.EqualTo("Warning"), "kept");
        Assert.That(Directory.GetFiles(Path.GetDirectoryName(ConfigPath)!, "*.tmp"), Is.Empty, "no temporary file left");
        Assert.That((string?)JsonNode.Parse(run.Stdout)!["csr"], Is.EqualTo(Pki("device.csr")));
    }

    [Test]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Run_as_root_init_gives_the_key_to_the_owner_of_the_pki_folder_the_service_user()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Assert.Ignore("needs root: only root can hand a file to another user");
        }

        // install.ps1 makes pki/ the service user's; 65534 (nobody) stands in for it.
        Directory.CreateDirectory(Path.GetDirectoryName(Pki("device.key"))!);
        Assert.That((await KioskctlProcess.RunProgramAsync("chown", "65534:65534", Path.GetDirectoryName(Pki("device.key"))!)).ExitCode, Is.Zero);

        var run = await KioskctlProcess.RunAsync("init", "--site", "site-01", "--kiosk", "kiosk_08", "--broker", "mqtts://broker.example:8883", "--config", ConfigPath);

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        var owner = await KioskctlProcess.RunProgramAsync("stat", "-c", "%u:%g %a", Pki("device.key"));
        Assert.That(owner.Stdout.Trim(), Is.EqualTo("65534:65534 600"), "readable by the service user only");
    }

    [Test]
    public async Task Init_refuses_to_replace_an_existing_key_without_force()
    {
        string[] init = ["init", "--site", "s1", "--kiosk", "k1", "--broker", "mqtts://127.0.0.1:8883", "--config", ConfigPath];
        Assert.That((await KioskctlProcess.RunAsync(init)).ExitCode, Is.Zero);
        var key = await File.ReadAllTextAsync(Pki("device.key"));

        var again = await KioskctlProcess.RunAsync(init);

        Assert.That(again.ExitCode, Is.EqualTo(1), again.ToString());
        Assert.That(again.Stderr, Does.Contain("already exists").And.Contain("--force"));
        Assert.That(await File.ReadAllTextAsync(Pki("device.key")), Is.EqualTo(key), "the key is untouched");

        var forced = await KioskctlProcess.RunAsync([.. init, "--force"]);
        Assert.That(forced.ExitCode, Is.Zero, forced.ToString());
        Assert.That(await File.ReadAllTextAsync(Pki("device.key")), Is.Not.EqualTo(key), "a new key");
    }

    [TestCase("a/b", "k1", "mqtts://h:8883", "--site 'a/b' is not valid")]
    [TestCase("s1", "", "mqtts://h:8883", "--kiosk '' is not valid")]
    [TestCase("s1", "k1", "mqtt://h:1883", "must use mqtts://")]
    [TestCase("s1", "k1", "h:8883", "is not mqtts://HOST:PORT")]
    public async Task Init_refuses_bad_ids_and_a_broker_without_TLS(string site, string kiosk, string broker, string expected)
    {
        var run = await KioskctlProcess.RunAsync("init", "--site", site, "--kiosk", kiosk, "--broker", broker, "--config", ConfigPath);

        Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
        Assert.That(run.Stderr, Does.Contain(expected));
        Assert.That(File.Exists(ConfigPath), Is.False);
    }
}
