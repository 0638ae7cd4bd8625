using Kiosk.Agent.Configuration.Editing;
using Kiosk.Devices;

namespace Kiosk.Ctl.Config;

/// <summary>
/// Validation shared by <c>config validate</c> and <c>config set</c>: the agent's own binding and validators, through
/// <see cref="KioskConfigEditor"/>, which the agent's <c>cmd/config</c> uses too.
/// </summary>
internal static class ConfigValidation
{
    /// <summary>The top-level sections of the agent's configuration file.</summary>
    public static IReadOnlyList<string> Sections => KioskConfigEditor.Sections;

    /// <summary>
    /// The agent resolves relative paths (Kiosk:DataFolder, test data, TLS files under the data folder) against its
    /// working directory; kioskctl checks against its own, so run it from the agent's working directory.
    /// </summary>
    public static string ContentRoot => Directory.GetCurrentDirectory();

    public static KioskConfigVerdict Validate(IReadOnlyDictionary<string, string?> settings) => KioskConfigEditor.Validate(settings, ContentRoot, RealDrivers.All);
}
