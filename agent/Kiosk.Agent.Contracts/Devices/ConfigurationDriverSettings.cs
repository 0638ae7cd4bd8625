using Kiosk.Devices.Drivers;
using Microsoft.Extensions.Configuration;

namespace Kiosk.Agent.Devices;

/// <summary>Driver settings read from the kiosk's configuration, section <c>Kiosk:Devices</c>, with .NET's binder.</summary>
internal sealed class ConfigurationDriverSettings(IConfiguration configuration) : IDriverSettings
{
    public const string Section = "Kiosk:Devices";

    public T Bind<T>(string section)
        where T : class, new()
    {
        var options = new T();
        configuration.GetSection($"{Section}:{section}").Bind(options);
        return options;
    }

    public string? Value(string key) => configuration[$"{Section}:{key}"];
}
