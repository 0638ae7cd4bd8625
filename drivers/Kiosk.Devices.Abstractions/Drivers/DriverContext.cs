namespace Kiosk.Devices.Drivers;

/// <summary>
/// What a driver gets when the kiosk builds it: its device name, the clock, the folder relative paths are under, the
/// devices built before it (a pen digitiser hands fingerprints to the kiosk's fingerprint reader) and resources several
/// drivers share (one GPIO controller for the board). The device set that builds the kiosk's devices implements it and
/// disposes the shared resources after the devices.
/// Thread safety: used on the thread that builds the devices only.
/// </summary>
public abstract class DriverContext
{
    protected DriverContext(string deviceName, TimeProvider timeProvider, string contentRoot)
    {
        DeviceName = deviceName;
        TimeProvider = timeProvider;
        ContentRoot = contentRoot;
    }

    /// <summary>The device's name on this kiosk (e.g. <c>idCardReader</c>).</summary>
    public string DeviceName { get; }

    public TimeProvider TimeProvider { get; }

    /// <summary>Relative paths in the configuration are resolved under this folder.</summary>
    public string ContentRoot { get; }

    /// <summary>A device of class <typeparamref name="T"/> built before this one, or null when the kiosk has none.</summary>
    public abstract T? Device<T>()
        where T : class, IDevice;

    /// <summary>The resource shared under <paramref name="key"/>, created by <paramref name="create"/> the first time it is asked for.</summary>
    /// <exception cref="Exception">Whatever <paramref name="create"/> throws; the driver that asked is then unavailable.</exception>
    public abstract T SharedResource<T>(string key, Func<T> create)
        where T : class, IDisposable;
}
