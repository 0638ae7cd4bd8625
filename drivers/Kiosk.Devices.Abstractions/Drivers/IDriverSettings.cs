namespace Kiosk.Devices.Drivers;

/// <summary>
/// The device settings of the kiosk's configuration (<c>Kiosk:Devices</c>) as a driver descriptor reads them: a settings
/// section bound onto the driver's options type, or one scalar key. Implemented over .NET configuration by the registry
/// that hosts use (agent/Kiosk.Agent.Contracts/Devices); a value that does not convert throws the binder's
/// <see cref="InvalidOperationException"/>, which names the key.
/// Thread safety: read-only; callers do not share one instance across threads.
/// </summary>
public interface IDriverSettings
{
    /// <summary>Binds <c>Kiosk:Devices:<paramref name="section"/></c> onto a new <typeparamref name="T"/> (defaults where a key is absent).</summary>
    T Bind<T>(string section)
        where T : class, new();

    /// <summary>The scalar <c>Kiosk:Devices:<paramref name="key"/></c>, or null when it is not set.</summary>
    string? Value(string key);
}
