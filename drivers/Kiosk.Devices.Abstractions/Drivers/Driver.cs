namespace Kiosk.Devices.Drivers;

/// <summary>
/// A driver descriptor over the driver's own settings type <typeparamref name="TSettings"/> (its options class, or a
/// small record when it reads more than one section). Declared once per driver, next to the driver.
/// </summary>
public sealed class Driver<TSettings> : DriverDescriptor
    where TSettings : notnull
{
    public Driver(DeviceClass deviceClass, string name, IReadOnlyList<string> sections, bool isSimulated = false)
        : base(deviceClass, name, sections, isSimulated)
    {
    }

    /// <summary>Reads the settings from the kiosk's configuration.</summary>
    public required Func<IDriverSettings, TSettings> Read { get; init; }

    /// <summary>Problems with the settings, each naming its key (relative keys are prefixed with the driver's first section).</summary>
    public Func<TSettings, IEnumerable<string>> Validate { get; init; } = _ => [];

    public required Func<TSettings, DriverContext, IDevice> Create { get; init; }

    public Func<TSettings, DriverContext, IFaceMatcher>? CreateFaceMatcher { get; init; }

    public required Func<TSettings, string> Location { get; init; }

    public Func<TSettings, IEnumerable<string>> DeviceNodes { get; init; } = _ => [];

    public required Func<TSettings, CompletionCode, string> Fix { get; init; }

    public override ConfiguredDriver Configure(IDriverSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new Configured(this, Read(settings));
    }

    private sealed class Configured(Driver<TSettings> driver, TSettings settings) : ConfiguredDriver(driver)
    {
        public override string Location => driver.Location(settings);

        public override IReadOnlyList<string> DeviceNodes => [.. driver.DeviceNodes(settings)];

        public override IReadOnlyList<string> Problems() =>
            [.. driver.Validate(settings).Select(p => p.StartsWith("Kiosk:", StringComparison.Ordinal) || driver.Sections.Count == 0 ? p : $"Kiosk:Devices:{driver.Sections[0]}: {p}")];

        public override IDevice Create(DriverContext context) => driver.Create(settings, context);

        public override IFaceMatcher? CreateFaceMatcher(DriverContext context) => driver.CreateFaceMatcher?.Invoke(settings, context);

        public override string Fix(CompletionCode code) => driver.Fix(settings, code);
    }
}
