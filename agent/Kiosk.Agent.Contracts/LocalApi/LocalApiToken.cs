using System.Security.Cryptography;

namespace Kiosk.Agent.LocalApi;

/// <summary>
/// <c>&lt;DataFolder&gt;/local-api.token</c>: the secret every caller of the local API sends as <c>Authorization: Bearer</c>.
/// The agent makes a new one at every start (so a token is worth nothing after a restart) and writes it before it
/// listens, readable by the service's user and group only (0640; the data folder itself is 0750): root (kioskctl) and
/// a user an administrator adds to the service's group (the kiosk screen's user), can read it; other local users cannot.
/// </summary>
public static class LocalApiToken
{
    public const string FileName = "local-api.token";

    /// <summary>The scheme of the <c>Authorization</c> header.</summary>
    public const string Scheme = "Bearer";

    public static string PathIn(string dataFolder) => System.IO.Path.Combine(dataFolder, FileName);

    /// <summary>The token in <paramref name="dataFolder"/>'s file, or null when there is no readable one.</summary>
    public static string? Read(string dataFolder)
    {
        try
        {
            var text = File.ReadAllText(PathIn(dataFolder)).Trim();
            return text.Length is > 0 and <= 256 ? text : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>A fresh random token (256 bits, URL-safe base64).</summary>
    internal static string New() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Writes the token atomically with mode 0640 from its creation (never readable by others, not even for a moment).</summary>
    internal static void Write(string dataFolder, string token)
    {
        Directory.CreateDirectory(dataFolder);
        var path = PathIn(dataFolder);
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        }

        using (var file = new FileStream(temporary, options))
        {
            file.Write(System.Text.Encoding.ASCII.GetBytes(token + "\n"));
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    internal static void Delete(string dataFolder)
    {
        try
        {
            File.Delete(PathIn(dataFolder));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left behind it is a token of a stopped agent: the next start replaces it and nothing accepts it.
        }
    }
}
