using Microsoft.Extensions.Configuration;

namespace Kiosk.Agent.LocalApi;

/// <summary>
/// Where the screen keyboard's pinyin table is: <c>Kiosk:Screen:PinyinTable</c>, default <c>screen/pinyin.json</c>, a relative
/// path being under the agent's program folder (where <c>./kiosk.sh publish</c> renders it with deploy/render-pinyin.sh,
/// from Debian's unicode-data). The table is data derived from Unihan at packaging time, not part of the agent's build;
/// a kiosk without it still types letters and digits, and the screen says Chinese input is unavailable.
/// </summary>
internal static class PinyinTableFile
{
    public const string Key = "Kiosk:Screen:PinyinTable";

    public const string DefaultPath = "screen/pinyin.json";

    /// <summary>What the screen fetches: <c>/screen/pinyin.json</c>.</summary>
    public const string AssetName = "pinyin.json";

    /// <summary>The rendered table is about 30 KB; anything much larger is not one (a mistyped path), and is not served.</summary>
    public const long MaxBytes = 1024 * 1024;

    public static string PathOf(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var configured = configuration[Key];
        var path = string.IsNullOrWhiteSpace(configured) ? DefaultPath : configured.Trim();
        return Path.GetFullPath(path, AppContext.BaseDirectory);
    }
}
