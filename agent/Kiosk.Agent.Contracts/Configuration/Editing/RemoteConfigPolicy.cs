namespace Kiosk.Agent.Configuration.Editing;

/// <summary>
/// The keys the platform may not change with <c>cmd/config</c> (docs/mqtt-contract.md, "cmd/config", "Deny list"): who
/// the kiosk is, how it proves it and whom it trusts, where its data and keys live, and the loopback API. A mistake there
/// is not undone by a rollback (a moved data folder strands unsent records; a dropped TLS requirement or a replaced
/// signing key hands the kiosk to whoever can reach the broker), so they are changed at the kiosk, by a technician
/// (kioskctl config set, kioskctl enroll). The same list decides what the agent takes from the platform's settings file
/// at start (<see cref="PlatformConfig"/>): a denied key found there is ignored, whoever wrote it.
/// </summary>
public static class RemoteConfigPolicy
{
    private const string DeviceWhy =
        "which driver a device uses and the node it opens are the kiosk's hardware; on Linux the service may open only the nodes install.ps1 -UpdateDevices wrote into its unit from the kiosk's own configuration";

    /// <summary>
    /// The keys that decide which device nodes the agent opens: each device class's driver, and the drivers' ports and
    /// sources (install.ps1, Get-ConfiguredDevices; a driver's device path is a path, refused as one below). A node the
    /// unit does not allow (DevicePolicy=closed) cannot be opened, so a remote change there would break the device until a
    /// technician came, and the health trial would not see it: the agent still reaches the broker.
    /// </summary>
    private static readonly string[] DeviceKeys =
    [
        .. Enum.GetNames<Kiosk.Devices.DeviceClass>().Select(deviceClass => $"Kiosk:Devices:{deviceClass}"),
        "Kiosk:Devices:Sam:PortName",
        "Kiosk:Devices:R30x:PortName",
        "Kiosk:Devices:OpenCv:Source",
        "Kiosk:Devices:DocumentOpenCv:Source",
        "Kiosk:Devices:Sane:DeviceName",
        "Kiosk:Devices:ClimateSensorI2cBus",
    ];

    // After the device keys: static fields are initialised in the order they are written.
    private static readonly (string Key, string Why)[] Denied =
    [
        ("Kiosk:SiteId", "who this kiosk is comes from enrollment (kioskctl enroll)"),
        ("Kiosk:KioskId", "who this kiosk is comes from enrollment (kioskctl enroll)"),
        ("Kiosk:Profile", "the production profile requires TLS; only a technician at the kiosk may change it"),
        ("Kiosk:DataFolder", "the outbox and its key live there; moving it would strand unsent records"),
        ("Kiosk:Sync:Tls", "the broker's CA, the kiosk's certificate and private key are enrollment's"),
        ("Kiosk:Provisioning", "enrollment and the platform's command-signing key are set at the kiosk only"),
        ("Kiosk:Outbox:KeyFile", "the key sealing the outbox stays where it is"),
        ("Kiosk:Outbox:DatabaseFile", "the outbox file stays where it is"),
        ("Kiosk:LocalApi", "the loopback API (and its token) is set at the kiosk only"),
        ("Kiosk:Roster:SimulatedPeople", "a generated roster is for demos and tests only"),
        ("Kiosk:Devices:Simulation", "simulated devices are for demos and tests only"),
        .. DeviceKeys.Select(key => (key, DeviceWhy)),
    ];

    private static readonly string[] PathWords = ["File", "Folder", "Path", "Directory", "Dir"];

    /// <summary>Why <paramref name="key"/> may not be changed remotely, with the fix; null when it may.</summary>
    public static string? WhyDenied(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        foreach (var (denied, why) in Denied)
        {
            if (string.Equals(key, denied, StringComparison.OrdinalIgnoreCase) || key.StartsWith(denied + ":", StringComparison.OrdinalIgnoreCase))
            {
                return Refusal(key, why);
            }
        }

        if (KioskConfigDocument.IsSecret(key))
        {
            return Refusal(key, "secrets never travel in commands");
        }

        var last = key[(key.LastIndexOf(':') + 1)..];
        return PathWords.Any(word => last.EndsWith(word, StringComparison.OrdinalIgnoreCase))
            ? Refusal(key, "files and folders on the kiosk are set at the kiosk only")
            : null;
    }

    private static string Refusal(string key, string why) =>
        $"'{key}' may not be changed remotely ({why}): change it at the kiosk with 'kioskctl config set', or leave it out of the command.";
}
