using System.Runtime.Versioning;
using System.Security.Cryptography;
using Kiosk.Agent.Outbox.Encryption;
using Kiosk.TestSupport;

namespace Kiosk.Agent.Tests.Outbox;

/// <summary>
/// Where the agent takes the outbox key from on Linux: the systemd credential outbox.key in $CREDENTIALS_DIRECTORY
/// (the unit's LoadCredentialEncrypted=, written by install.ps1) when there is one, never then writing a key file;
/// otherwise the 0600 key file in the data folder, as before.
/// The variable is process-wide, so these tests run alone and restore it.
/// </summary>
[NonParallelizable]
[Platform("Linux", Reason = "systemd credentials are Linux only; Windows keeps the DPAPI-protected key file")]
[SupportedOSPlatform("linux")]
public sealed class OutboxKeyTests
{
    private const string Variable = "CREDENTIALS_DIRECTORY";

    /// <summary>What install.ps1 leaves in the key file once the key is in the credential.</summary>
    private const string KeyFileStandIn = "KIOSK-CREDENTIAL outbox.key\n";

    private TempFolder _folder = null!;
    private string? _saved;
    private string _credentials = null!;
    private string _keyFile = null!;

    [SetUp]
    public void SetUp()
    {
        _saved = Environment.GetEnvironmentVariable(Variable);
        _folder = new TempFolder("outbox-key");
        _credentials = Directory.CreateDirectory(_folder.File("credentials")).FullName;
        _keyFile = Path.Combine(Directory.CreateDirectory(_folder.File("data")).FullName, "outbox.key");
    }

    [TearDown]
    public void TearDown()
    {
        Environment.SetEnvironmentVariable(Variable, _saved);
        _folder.Dispose();
    }

    /// <summary>As systemd gives it to the service: a read-only file named after the credential.</summary>
    private byte[] GiveCredential(byte[]? key = null)
    {
        key ??= RandomNumberGenerator.GetBytes(32);
        var file = Path.Combine(_credentials, "outbox.key");
        File.WriteAllBytes(file, key);
        File.SetUnixFileMode(file, UnixFileMode.UserRead);
        Environment.SetEnvironmentVariable(Variable, _credentials);
        return key;
    }

    [Test]
    public void The_credential_is_the_key_and_no_key_file_is_written()
    {
        var key = GiveCredential();

        Assert.That(OutboxKey.LoadOrCreate(_keyFile), Is.EqualTo(key));
        Assert.That(OutboxKey.LoadOrCreate(_keyFile), Is.EqualTo(key), "the same key on every start");
        Assert.That(Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(_keyFile)!), Is.Empty, "no key file beside the outbox");
    }

    [Test]
    public void The_key_file_install_left_as_a_stand_in_is_neither_read_nor_rewritten()
    {
        var key = GiveCredential();
        File.WriteAllText(_keyFile, KeyFileStandIn);

        Assert.That(OutboxKey.LoadOrCreate(_keyFile), Is.EqualTo(key));
        Assert.That(File.ReadAllText(_keyFile), Is.EqualTo(KeyFileStandIn));
    }

    [Test]
    public void A_key_file_holding_the_same_key_is_accepted_and_left_alone()
    {
        var key = GiveCredential();
        File.WriteAllBytes(_keyFile, key);
        var written = File.GetLastWriteTimeUtc(_keyFile);

        Assert.That(OutboxKey.LoadOrCreate(_keyFile), Is.EqualTo(key));
        Assert.That(File.ReadAllBytes(_keyFile), Is.EqualTo(key));
        Assert.That(File.GetLastWriteTimeUtc(_keyFile), Is.EqualTo(written));
    }

    [Test]
    public void A_key_file_with_another_key_than_the_credential_stops_the_agent_with_the_fix()
    {
        GiveCredential();
        var other = RandomNumberGenerator.GetBytes(32);
        File.WriteAllBytes(_keyFile, other);

        var error = Assert.Throws<InvalidDataException>(() => OutboxKey.LoadOrCreate(_keyFile));

        Assert.That(error!.Message, Does.Contain(_keyFile).And.Contain("credential").And.Contain("deploy/README.md"));
        Assert.That(File.ReadAllBytes(_keyFile), Is.EqualTo(other), "neither key is thrown away");
    }

    [Test]
    public void A_credential_that_is_not_32_bytes_stops_the_agent_naming_it()
    {
        GiveCredential(new byte[16]);

        var error = Assert.Throws<InvalidDataException>(() => OutboxKey.LoadOrCreate(_keyFile));

        Assert.That(error!.Message, Does.Contain(Path.Combine(_credentials, "outbox.key")).And.Contain("16 bytes"));
        Assert.That(File.Exists(_keyFile), Is.False);
    }

    [Test]
    public void Without_the_credential_the_stand_in_stops_the_agent_instead_of_making_a_new_key()
    {
        Environment.SetEnvironmentVariable(Variable, null);
        File.WriteAllText(_keyFile, KeyFileStandIn);

        var error = Assert.Throws<InvalidDataException>(() => OutboxKey.LoadOrCreate(_keyFile));

        Assert.That(error!.Message, Does.Contain("systemd credential").And.Contain("systemctl start kiosk-agent"));
        Assert.That(File.ReadAllText(_keyFile), Is.EqualTo(KeyFileStandIn));
    }

    [Test]
    public void Without_a_credential_the_key_file_is_made_once_for_the_owner_only()
    {
        Environment.SetEnvironmentVariable(Variable, null);

        var key = OutboxKey.LoadOrCreate(_keyFile);

        Assert.That(key, Has.Length.EqualTo(32));
        Assert.That(File.GetUnixFileMode(_keyFile), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(OutboxKey.LoadOrCreate(_keyFile), Is.EqualTo(key));
    }

    [Test]
    public void A_credentials_directory_without_outbox_key_falls_back_to_the_key_file()
    {
        Environment.SetEnvironmentVariable(Variable, _credentials); // another credential of the unit, not ours
        var key = RandomNumberGenerator.GetBytes(32);
        File.WriteAllBytes(_keyFile, key);

        Assert.That(OutboxKey.LoadOrCreate(_keyFile), Is.EqualTo(key));
    }
}
