namespace Kiosk.Agent.Configuration;

/// <summary>Where an installed kiosk's configuration lives; the agent and kioskctl agree on it.</summary>
public static class KioskConfigFile
{
    /// <summary>Set by the service unit (install.ps1) to the configuration file's path.</summary>
    public const string EnvironmentVariable = "KIOSK_CONFIG";

    /// <summary>KIOSK_CONFIG when set, else the installed location: /etc/kiosk/agent.json, or %ProgramData%\Kiosk\config\agent.json on Windows.</summary>
    public static string DefaultPath =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } path
            ? path
            : OperatingSystem.IsWindows()
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData), "Kiosk", "config", "agent.json")
                : "/etc/kiosk/agent.json";
}
