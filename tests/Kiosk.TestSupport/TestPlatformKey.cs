using System.Security.Cryptography;
using Kiosk.Central.Signing;

namespace Kiosk.TestSupport;

/// <summary>
/// The platform's command-signing key pair for one test process: every testbed platform signs with it and every test
/// agent accepts it (as enrollment would have stored it), so acks verify in every test as they must in production.
/// Tests of refusals make keys of their own.
/// </summary>
public static class TestPlatformKey
{
    private static readonly Lazy<(string Private, string Public)> Files = new(Write);

    /// <summary>PEM PKCS#8 private key (for <c>CentralOptions.SigningKeyFile</c>).</summary>
    public static string PrivateKeyFile => Files.Value.Private;

    /// <summary>PEM SubjectPublicKeyInfo (for <c>Kiosk:Provisioning:CommandSigningKeyFile</c>).</summary>
    public static string PublicKeyFile => Files.Value.Public;

    /// <summary>A signer with this key on <paramref name="time"/> (hand-made acks and commands in tests).</summary>
    public static PlatformSigner Signer(TimeProvider? time = null) => PlatformSigner.FromPemFile(PrivateKeyFile, time);

    private static (string, string) Write()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"kiosk-test-platform-key-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var privateFile = Path.Combine(folder, "command-signing.key");
        var publicFile = Path.Combine(folder, "command-signing.pub");
        File.WriteAllText(privateFile, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(publicFile, key.ExportSubjectPublicKeyInfoPem());
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // Another process may still read it; the temp folder is cleaned by the system.
            }
        };
        return (privateFile, publicFile);
    }
}
