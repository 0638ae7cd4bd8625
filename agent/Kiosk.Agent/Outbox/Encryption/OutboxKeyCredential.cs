using System.Security.Cryptography;

namespace Kiosk.Agent.Outbox.Encryption;

/// <summary>
/// The outbox key as a systemd credential (Linux). install.ps1 encrypts the key with <c>systemd-creds</c> (TPM2 when
/// the machine has one, else the host key) into /etc/kiosk/credentials/outbox.key.cred and the unit loads it with
/// <c>LoadCredentialEncrypted=outbox.key:...</c>; systemd decrypts it for the service only, into
/// <c>$CREDENTIALS_DIRECTORY/outbox.key</c> (a read-only, non-swappable file). The key file in the data folder then
/// holds <see cref="KeyFileStandIn"/> instead of a key (see deploy/README.md, "The outbox key").
/// </summary>
internal static class OutboxKeyCredential
{
    /// <summary>The credential's name, as in the unit's LoadCredentialEncrypted= and systemd-creds --name=.</summary>
    public const string Name = "outbox.key";

    /// <summary>What install.ps1 leaves in the key file once the key is in the credential (install.ps1,
    /// $script:KeyFileStandIn): not 32 bytes, so no agent takes it for a key.</summary>
    public static ReadOnlySpan<byte> KeyFileStandIn => "KIOSK-CREDENTIAL outbox.key\n"u8;

    /// <summary>The key from <c>$CREDENTIALS_DIRECTORY/outbox.key</c>, or null when the agent was given no such
    /// credential (not started by the unit, not Linux, or a kiosk without one).</summary>
    public static byte[]? TryRead(string? credentialsDirectory, int keyLength)
    {
        if (!OperatingSystem.IsLinux() || string.IsNullOrEmpty(credentialsDirectory))
        {
            return null;
        }

        var path = Path.Combine(credentialsDirectory, Name);
        if (!File.Exists(path))
        {
            return null;
        }

        var key = File.ReadAllBytes(path);
        if (key.Length != keyLength)
        {
            throw new InvalidDataException($"the outbox key credential {path} is {key.Length} bytes, not {keyLength}: the credential file install.ps1 wrote (/etc/kiosk/credentials/outbox.key.cred) was replaced; restore it or the key from this kiosk's backup (deploy/README.md, \"The outbox key\")");
        }

        return key;
    }

    /// <summary>
    /// With the key from the credential: the key file may be missing, the stand-in, or the same key (left by hand);
    /// another key there means attachments sealed before cannot be opened with the credential's, so the agent stops
    /// rather than pick one. The file is only read.
    /// </summary>
    public static void CheckKeyFile(string keyFile, byte[] key)
    {
        if (!File.Exists(keyFile))
        {
            return;
        }

        var stored = File.ReadAllBytes(keyFile);
        if (stored.AsSpan().SequenceEqual(KeyFileStandIn) || CryptographicOperations.FixedTimeEquals(stored, key))
        {
            return;
        }

        throw new InvalidDataException($"the outbox key file {keyFile} holds another key than the systemd credential {Name} the agent was started with: attachments sealed with one cannot be opened with the other. If {keyFile} was restored from this kiosk's backup, run install.ps1 -Install again after moving /etc/kiosk/credentials/outbox.key.cred away, so the restored key becomes the credential; otherwise move {keyFile} away (deploy/README.md, \"The outbox key\")");
    }

    /// <summary>Without the credential: the stand-in means the key exists only in the credential, so making a new key
    /// would orphan every sealed attachment.</summary>
    public static void ThrowIfStandIn(string keyFile, ReadOnlySpan<byte> stored)
    {
        if (stored.SequenceEqual(KeyFileStandIn))
        {
            throw new InvalidDataException($"the outbox key is kept in the systemd credential {Name} (/etc/kiosk/credentials/outbox.key.cred), not in {keyFile}, and only the kiosk-agent unit decrypts it: start the agent with systemctl start kiosk-agent (or systemd-run -p LoadCredentialEncrypted=outbox.key:/etc/kiosk/credentials/outbox.key.cred ...), see deploy/README.md, \"The outbox key\"");
        }
    }
}
