using System.Security.Cryptography;

namespace Kiosk.Demo;

/// <summary>
/// The demo platform's command-signing key pair, kept in the demo's data folder across runs (<c>platform/</c>), so a
/// backlog one run leaves is acknowledged, with a signature the agent accepts, by the next. The agent gets the public half
/// as enrollment would give it; the private half is readable by its owner only.
/// </summary>
internal static class DemoPlatformKey
{
    public static (string PrivateKeyFile, string PublicKeyFile) Ensure(string dataRoot)
    {
        var folder = Path.Combine(dataRoot, "platform");
        Directory.CreateDirectory(folder);
        var privateFile = Path.Combine(folder, "command-signing.key");
        var publicFile = Path.Combine(folder, "command-signing.pub");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        if (File.Exists(privateFile))
        {
            key.ImportFromPem(File.ReadAllText(privateFile));
        }
        else
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using var writer = new StreamWriter(privateFile, System.Text.Encoding.ASCII, options);
            writer.Write(key.ExportPkcs8PrivateKeyPem() + "\n");
        }

        File.WriteAllText(publicFile, key.ExportSubjectPublicKeyInfoPem() + "\n");
        return (privateFile, publicFile);
    }
}
