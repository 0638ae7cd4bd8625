using System.Security.Cryptography;

namespace Kiosk.Ctl.Enrollment;

/// <summary>
/// The kiosk's key material next to its configuration (<c>&lt;config folder&gt;/pki/</c>). The private key is made here
/// and never leaves the kiosk; only the certificate request goes to the platform.
/// </summary>
internal sealed class PkiFiles(string folder)
{
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public const UnixFileMode Public = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public string Folder { get; } = folder;

    /// <summary>ECDSA P-256 private key, PKCS#8 PEM, mode 0600 (Kiosk:Sync:Tls:ClientKeyFile).</summary>
    public string DeviceKey => Path.Combine(Folder, "device.key");

    /// <summary>PKCS#10 request, PEM, subject CN=kiosk-{site}-{kiosk}.</summary>
    public string DeviceCsr => Path.Combine(Folder, "device.csr");

    /// <summary>The certificate the platform issued at enrollment (Kiosk:Sync:Tls:ClientCertificateFile).</summary>
    public string DeviceCertificate => Path.Combine(Folder, "device.crt");

    /// <summary>The platform's CA certificate(s) (Kiosk:Sync:Tls:CaFile).</summary>
    public string Ca => Path.Combine(Folder, "ca.crt");

    /// <summary>The public key the platform signs commands with, SubjectPublicKeyInfo PEM.</summary>
    public string CommandSigningKey => Path.Combine(Folder, "command-signing.pub");

    /// <summary>
    /// Writes a file so that readers see the old content or the new, never a part: a temporary file in the same
    /// folder, created with <paramref name="mode"/> (so a key is never readable by others, not even for a moment),
    /// flushed to disk and renamed over <paramref name="path"/>.
    /// </summary>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> content, UnixFileMode mode)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        var temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }

        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            if (!OperatingSystem.IsWindows())
            {
                // The process umask may have taken bits away from the create mode; the mode asked for is the one meant.
                File.SetUnixFileMode(temporary, mode);

                // kioskctl runs as root, the agent as the service user that install.ps1 made the pki folder's owner:
                // a key only root can read would stop the agent from connecting, so the files take the folder's owner.
                if (Environment.IsPrivilegedProcess && !Config.AtomicFile.CopyOwner(folder, temporary))
                {
                    throw new IOException($"cannot give {path} the owner of {folder} (chown --reference failed); the agent's service user must be able to read it");
                }
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    public static void WriteAtomically(string path, string text, UnixFileMode mode) =>
        WriteAtomically(path, System.Text.Encoding.UTF8.GetBytes(text), mode);
}
