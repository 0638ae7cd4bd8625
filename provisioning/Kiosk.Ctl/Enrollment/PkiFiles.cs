using Kiosk.Ctl.Config;
using Kiosk.Ctl.Files;

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
    /// The refusal for the first of <paramref name="paths"/> that leads through a symbolic link kioskctl does not follow
    /// (Files/TrustedPath.cs: one in <c>pki/</c>, which the service user owns, or in another folder someone else can
    /// change), or null. Checked before anything is written, so a refused command changes nothing.
    /// </summary>
    public static string? UntrustedLink(params string[] paths)
    {
        try
        {
            foreach (var path in paths)
            {
                _ = AtomicFile.Target(path);
            }

            return null;
        }
        catch (UntrustedLinkException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>
    /// Writes a file of the kiosk's key material atomically with <paramref name="mode"/>, owned (when kioskctl runs as
    /// root) by the pki folder's owner, the agent's service user: see <see cref="AtomicFile.WriteOwnedByFolder"/>.
    /// </summary>
    public static void WriteAtomically(string path, string text, UnixFileMode mode) =>
        AtomicFile.WriteOwnedByFolder(path, System.Text.Encoding.UTF8.GetBytes(text), mode);
}
