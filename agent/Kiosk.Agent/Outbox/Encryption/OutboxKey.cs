using System.Runtime.Versioning;
using System.Security.Cryptography;

namespace Kiosk.Agent.Outbox.Encryption;

/// <summary>
/// The key that seals record bodies and attachments: 32 random bytes that never leave the kiosk and are never logged.
/// On Linux, when the unit gives the agent the systemd credential <c>outbox.key</c> ($CREDENTIALS_DIRECTORY, see
/// <see cref="OutboxKeyCredential"/>), that is the key, encrypted at rest by systemd-creds with the TPM2 or the host
/// key, and no key file is ever written. Otherwise (no systemd-creds, the agent run outside its unit on a kiosk
/// without a credential) the key is stored as is in a file only the service's user may read (mode 0600, tightened
/// when found looser). On Windows the file holds the key protected with DPAPI for the service's account (the install
/// also gives the data folder an ACL for that account only), so a copy of the file alone opens nothing. Losing the key
/// makes the sealed attachments unreadable, so it is backed up (deploy/README.md, "The outbox key"; on Windows the
/// backup is only usable on the same machine and account: that is DPAPI's point).
/// </summary>
public static class OutboxKey
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const int KeyLength = 32;

    /// <summary>Marks a DPAPI-protected key file (a key file without it is the plain 32 bytes).</summary>
    private static readonly byte[] DpapiMagic = "KIOSK-DPAPI-1\n"u8.ToArray();

    /// <summary>Ties the protected blob to this purpose: another application's DPAPI secret cannot stand in for it.</summary>
    private static readonly byte[] DpapiEntropy = "kiosk-agent outbox key"u8.ToArray();

    /// <summary>Reads the key: the systemd credential when the agent has one (the key file at <paramref name="path"/>
    /// is then only read, to refuse one holding another key), else the key file, creating it on first start and
    /// tightening it when others could read it.</summary>
    public static byte[] LoadOrCreate(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (OutboxKeyCredential.TryRead(Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY"), KeyLength) is { } credential)
        {
            OutboxKeyCredential.CheckKeyFile(path, credential);
            return credential;
        }

        if (File.Exists(path))
        {
            if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & ~OwnerOnly) != 0)
            {
                File.SetUnixFileMode(path, OwnerOnly);
            }

            var stored = File.ReadAllBytes(path);
            OutboxKeyCredential.ThrowIfStandIn(path, stored);
            var key = OperatingSystem.IsWindows() && stored.AsSpan().StartsWith(DpapiMagic) ? Unprotect(path, stored) : stored;
            if (key.Length != KeyLength)
            {
                throw new InvalidDataException($"the outbox key {path} is {key.Length} bytes, not {KeyLength}: restore it from the backup of this kiosk's data folder; without it the sealed records and attachments cannot be read");
            }

            if (OperatingSystem.IsWindows() && !stored.AsSpan().StartsWith(DpapiMagic))
            {
                Write(path, key, FileMode.Create); // a plain key file (copied in by hand): protect it from now on
            }

            return key;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var fresh = RandomNumberGenerator.GetBytes(KeyLength);
        Write(path, fresh, FileMode.CreateNew);
        return fresh;
    }

    private static void Write(string path, byte[] key, FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        using var file = new FileStream(path, options);
        file.Write(OperatingSystem.IsWindows() ? [.. DpapiMagic, .. Protect(key)] : key);
        file.Flush(flushToDisk: true);
    }

    [SupportedOSPlatform("windows")]
    private static byte[] Protect(byte[] key) => ProtectedData.Protect(key, DpapiEntropy, DataProtectionScope.CurrentUser);

    [SupportedOSPlatform("windows")]
    private static byte[] Unprotect(string path, byte[] stored)
    {
        try
        {
            return ProtectedData.Unprotect(stored.AsSpan(DpapiMagic.Length).ToArray(), DpapiEntropy, DataProtectionScope.CurrentUser);
        }
        catch (CryptographicException ex)
        {
            throw new InvalidDataException($"the outbox key {path} cannot be unprotected by this account ({ex.Message}): it was written by another Windows account or machine. Run the agent as the service account install.ps1 created (NT SERVICE\\KioskAgent), or restore this kiosk's own data folder", ex);
        }
    }
}
