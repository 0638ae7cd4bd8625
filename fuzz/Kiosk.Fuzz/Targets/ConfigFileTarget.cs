using Kiosk.Ctl.Config;
using Kiosk.Fuzz.Harness;

namespace Kiosk.Fuzz.Targets;

/// <summary>
/// The kiosk's configuration file as kioskctl reads it (parse, the agent's flattening, every leaf shown, secrets
/// redacted); read-only. Contract: a file that cannot be used is a ConfigFileException whose message says how to fix it.
/// </summary>
internal sealed class ConfigFileTarget : IFuzzTarget
{
    public string Name => "config-file";

    public string Covers => "provisioning/Kiosk.Ctl/Config/ConfigFile.cs ConfigFile.Parse (Load's parser), Flatten";

    public void Run(byte[] input)
    {
        ConfigFile file;
        try
        {
            file = ConfigFile.Parse("/etc/kiosk/agent.json", input);
        }
        catch (ConfigFileException)
        {
            return;
        }

        foreach (var (_, value) in ConfigFile.Flatten(file.Root))
        {
            _ = ConfigFile.Display(value);
        }

        _ = ConfigFile.Flatten(file.Redact());
    }
}
