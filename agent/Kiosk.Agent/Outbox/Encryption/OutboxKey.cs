using System.Security.Cryptography;

namespace Kiosk.Agent.Outbox.Encryption;

/// <summary>
/// The key that seals biometric attachments: 32 random bytes in a file only the service's user may read
/// (mode 0600 on Linux; the install gives the data folder an ACL for the service account on Windows).
/// It never leaves the kiosk and is never logged. Losing it makes the sealed attachments unreadable, so it
/// lives beside the outbox and is backed up with it.
/// </summary>
public static class OutboxKey
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Reads the key, creating it on first start. Tightens a key file that others could read.</summary>
    public static byte[] LoadOrCreate(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (File.Exists(path))
        {
            if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & ~OwnerOnly) != 0)
            {
                File.SetUnixFileMode(path, OwnerOnly);
            }

            var key = File.ReadAllBytes(path);
            return key.Length == 32
                ? key
                : throw new InvalidDataException($"the outbox key {path} is {key.Length} bytes, not 32: restore it from the backup of this kiosk's data folder; without it sealed biometric attachments cannot be read");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var fresh = RandomNumberGenerator.GetBytes(32);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        using (var file = new FileStream(path, options))
        {
            file.Write(fresh);
            file.Flush(flushToDisk: true);
        }

        return fresh;
    }
}
