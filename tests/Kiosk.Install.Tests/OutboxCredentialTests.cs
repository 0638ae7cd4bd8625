using System.Runtime.Versioning;
using System.Security.Cryptography;
using Kiosk.TestSupport;

namespace Kiosk.Install.Tests;

/// <summary>
/// On Linux the outbox key lives in a systemd credential (systemd-creds encrypt; under -Root with a staged host key,
/// never the machine's) that the unit loads with LoadCredentialEncrypted=; the key file in the data folder keeps only
/// a line saying so. Install makes the key or moves an existing key file into the credential; a release whose agent
/// reads only the key file (rolled back to) gets the key file back; without a working systemd-creds the key file stays.
/// </summary>
[Parallelizable(ParallelScope.All)]
[Platform("Linux", Reason = "systemd credentials")]
[SupportedOSPlatform("linux")]
public sealed class OutboxCredentialTests
{
    /// <summary>What install.ps1 leaves in the key file once the key is in the credential (agent/Kiosk.Agent/Outbox/Encryption/OutboxKey.cs reads it).</summary>
    private const string KeyFileStandIn = "KIOSK-CREDENTIAL outbox.key\n";

    private static void RequireSystemdCreds()
    {
        if (StagedKiosk.SystemdCreds is null)
        {
            Assert.Ignore("systemd-creds is not installed (Debian package systemd, 250 or later): the fallback is tested on its own");
        }
    }

    private static string LoadLine(StagedKiosk kiosk) => $"LoadCredentialEncrypted=outbox.key:{kiosk.OutboxCredential}";

    /// <summary>A kiosk whose data folder already holds a key file from an earlier release.</summary>
    private static byte[] PlantKeyFile(StagedKiosk kiosk)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        Directory.CreateDirectory(kiosk.DataFolder);
        File.WriteAllBytes(kiosk.OutboxKeyFile, key);
        File.SetUnixFileMode(kiosk.OutboxKeyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return key;
    }

    [Test]
    public async Task Install_makes_the_key_in_a_credential_the_unit_loads_and_leaves_no_key_file()
    {
        RequireSystemdCreds();
        using var folder = new TempFolder("kiosk-credential");
        var kiosk = new StagedKiosk(folder.File("root"));

        var install = await kiosk.InstallAsync(TestPackages.Slim("1.0.0"));

        Assert.That(install.ExitCode, Is.Zero, install.ToString());
        Assert.That(File.GetUnixFileMode(kiosk.CredentialFolder), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));
        Assert.That(File.GetUnixFileMode(kiosk.OutboxCredential), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(await kiosk.DecryptOutboxKeyAsync(), Has.Length.EqualTo(32));
        Assert.That(File.ReadAllLines(kiosk.UnitFile), Has.Member(LoadLine(kiosk)));
        Assert.That(File.ReadAllText(kiosk.OutboxKeyFile), Is.EqualTo(KeyFileStandIn), "no key in the data folder, only where it went");
        Assert.That(install.Lines, Has.Some.StartsWith($"created: {kiosk.OutboxCredential} (0600; a new outbox key, encrypted with systemd-creds --with-key=host"));
        Assert.That(install.StandardError, Is.Empty, "systemd-creds' notes are not errors");
    }

    [Test]
    public async Task Install_moves_an_existing_key_file_into_the_credential()
    {
        RequireSystemdCreds();
        using var folder = new TempFolder("kiosk-credential");
        var kiosk = new StagedKiosk(folder.File("root"));
        var key = PlantKeyFile(kiosk);

        var install = await kiosk.InstallAsync(TestPackages.Slim("1.0.0"));

        Assert.That(install.ExitCode, Is.Zero, install.ToString());
        Assert.That(await kiosk.DecryptOutboxKeyAsync(), Is.EqualTo(key), "the same key: attachments sealed before stay readable");
        Assert.That(File.ReadAllText(kiosk.OutboxKeyFile), Is.EqualTo(KeyFileStandIn));
        Assert.That(install.Lines, Has.Some.StartsWith($"created: {kiosk.OutboxCredential} (0600; the outbox key from {kiosk.OutboxKeyFile}"));
    }

    [Test]
    public async Task Without_a_working_systemd_creds_the_key_file_stays_and_the_unit_loads_no_credential()
    {
        using var folder = new TempFolder("kiosk-credential");
        var bin = Directory.CreateDirectory(folder.File("bin")).FullName;
        var fake = Path.Combine(bin, "systemd-creds");
        File.WriteAllText(fake, "#!/bin/sh\necho 'Failed to determine local credential key: Read-only file system' >&2\nexit 1\n");
        File.SetUnixFileMode(fake, (UnixFileMode)0b111_101_101);
        var kiosk = new StagedKiosk(folder.File("root"));
        var key = PlantKeyFile(kiosk);
        var path = bin + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");

        var install = await InstallScript.RunAsync(["-Install", "-Package", TestPackages.Slim("1.0.0"), "-Root", kiosk.Root], new Dictionary<string, string?> { ["PATH"] = path });

        Assert.That(install.ExitCode, Is.Zero, install.ToString());
        Assert.That(install.Lines, Has.Some.StartsWith($"not protected: {kiosk.OutboxKeyFile} stays a 0600 file").And.Some.Contains("Read-only file system"), install.ToString());
        Assert.That(Path.Exists(kiosk.OutboxCredential), Is.False);
        Assert.That(File.ReadAllText(kiosk.UnitFile), Does.Not.Contain("LoadCredentialEncrypted="));
        Assert.That(File.ReadAllBytes(kiosk.OutboxKeyFile), Is.EqualTo(key));
    }

    [Test]
    public async Task A_release_that_reads_only_the_key_file_gets_it_back_on_rollback_and_loses_it_again_going_forward()
    {
        RequireSystemdCreds();
        using var folder = new TempFolder("kiosk-credential");
        var kiosk = new StagedKiosk(folder.File("root"));
        var key = PlantKeyFile(kiosk);

        var legacy = await kiosk.InstallAsync(TestPackages.LegacySlim("1.0.0"));
        Assert.That(legacy.ExitCode, Is.Zero, legacy.ToString());
        Assert.That(legacy.Lines, Has.Some.StartsWith("not protected: kiosk 1.0.0 reads the outbox key only from"), legacy.ToString());
        Assert.That(Path.Exists(kiosk.OutboxCredential), Is.False);
        Assert.That(File.ReadAllBytes(kiosk.OutboxKeyFile), Is.EqualTo(key));

        var upgrade = await kiosk.UpgradeAsync(TestPackages.Slim("1.1.0"));
        Assert.That(upgrade.ExitCode, Is.Zero, upgrade.ToString());
        Assert.That(await kiosk.DecryptOutboxKeyAsync(), Is.EqualTo(key));
        Assert.That(File.ReadAllText(kiosk.OutboxKeyFile), Is.EqualTo(KeyFileStandIn));

        var rollback = await kiosk.RollbackAsync();
        Assert.That(rollback.ExitCode, Is.Zero, rollback.ToString());
        Assert.That(File.ReadAllBytes(kiosk.OutboxKeyFile), Is.EqualTo(key), "kiosk 1.0.0 would otherwise make a new key and lose the sealed attachments");
        Assert.That(File.GetUnixFileMode(kiosk.OutboxKeyFile), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));

        var forward = await kiosk.RollbackAsync();
        Assert.That(forward.ExitCode, Is.Zero, forward.ToString());
        Assert.That(File.ReadAllText(kiosk.OutboxKeyFile), Is.EqualTo(KeyFileStandIn));
        Assert.That(await kiosk.DecryptOutboxKeyAsync(), Is.EqualTo(key));
    }

    [Test]
    public async Task A_key_file_that_differs_from_the_credential_stops_the_install_and_is_kept()
    {
        RequireSystemdCreds();
        using var folder = new TempFolder("kiosk-credential");
        var kiosk = new StagedKiosk(folder.File("root"));
        var install = await kiosk.InstallAsync(TestPackages.Slim("1.0.0"));
        Assert.That(install.ExitCode, Is.Zero, install.ToString());
        var restored = PlantKeyFile(kiosk); // e.g. a data folder restored from another kiosk's backup

        var again = await kiosk.InstallAsync(TestPackages.Slim("1.0.0"));

        Assert.That(again.ExitCode, Is.EqualTo(1), again.ToString());
        Assert.That(again.StandardError, Does.Contain($"{kiosk.OutboxKeyFile} holds another key than {kiosk.OutboxCredential}"), again.ToString());
        Assert.That(File.ReadAllBytes(kiosk.OutboxKeyFile), Is.EqualTo(restored));
    }
}
