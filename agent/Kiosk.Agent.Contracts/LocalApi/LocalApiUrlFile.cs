namespace Kiosk.Agent.LocalApi;

/// <summary>
/// <c>&lt;DataFolder&gt;/local-api.url</c>: the URL the running agent's local API actually listens on (with the real
/// port when <see cref="LocalApiOptions.Url"/> asks for port 0). Written once the API listens, deleted on a clean
/// stop; kioskctl and tests read it to find the agent. A file left by a killed agent points at nothing, which
/// reads as "not running".
/// </summary>
public static class LocalApiUrlFile
{
    public const string FileName = "local-api.url";

    public static string PathIn(string dataFolder) => System.IO.Path.Combine(dataFolder, FileName);

    /// <summary>The URL in <paramref name="dataFolder"/>'s file, or null when there is no readable one.</summary>
    public static Uri? Read(string dataFolder)
    {
        try
        {
            var text = File.ReadAllText(PathIn(dataFolder)).Trim();
            return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp ? uri : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Writes the file atomically (a reader never sees half a URL).</summary>
    internal static void Write(string dataFolder, Uri url)
    {
        Directory.CreateDirectory(dataFolder);
        var path = PathIn(dataFolder);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, url.GetLeftPart(UriPartial.Authority) + "\n");
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
            // Left behind it points at nothing: readers treat that as "not running".
        }
    }
}
