using Kiosk.Agent.Devices;
using Kiosk.Devices;
using Kiosk.Devices.Drivers;
using Microsoft.Extensions.Configuration;

namespace Kiosk.Ctl.Probe;

/// <summary>One configured device as probe found it.</summary>
/// <param name="Class">Device class (Kiosk:Devices key), e.g. IdCardReader.</param>
/// <param name="Driver">The configured driver, e.g. Sam, or None.</param>
/// <param name="Location">Port, path, URL (without credentials) or pins it uses.</param>
/// <param name="Status">The HAL status after the check (Online, NoDevice, HardwareError...).</param>
/// <param name="Health">ok, degraded, failed, or none for a class the kiosk does not have.</param>
/// <param name="Detail">What was found: the model and the check's answer, or what went wrong.</param>
/// <param name="Fix">What to do when it is not ok.</param>
internal sealed record DeviceRow(string Class, string Driver, string Location, string Status, string Health, string Detail, string? Fix)
{
    public const string Ok = "ok";
    public const string Degraded = "degraded";
    public const string Failed = "failed";
    public const string NotFitted = "none";
}

/// <summary>
/// Builds the configured devices exactly as the agent does (a <see cref="DeviceSet"/> from the same <see cref="DeviceSelection"/>
/// and the production drivers, <see cref="RealDrivers"/>), opens and claims each, runs its health check and closes
/// everything. A device that cannot even be built or opened is a failed row with the reason and the driver's fix, never a
/// crash; one bad device does not hide the others.
/// </summary>
internal static class DeviceProbe
{
    private const string Owner = "kioskctl probe";
    private static readonly TimeSpan OpenBound = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan HealthBound = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan CloseBound = TimeSpan.FromSeconds(15);

    public static DriverRegistry Registry { get; } = new(RealDrivers.All);

    /// <summary>What the configuration chooses, as the production agent reads it.</summary>
    /// <exception cref="InvalidOperationException">A value does not convert to its option's type (the message names the key).</exception>
    public static DeviceSelection Select(IConfiguration configuration) =>
        DeviceSelection.Read(configuration, Registry, demoProfile: string.Equals(configuration["Kiosk:Profile"], "demo", StringComparison.OrdinalIgnoreCase));

    /// <summary>The serial ports the configuration names for the serial readers, with the key that names each.</summary>
    public static IReadOnlyList<(string Path, string Key)> SerialPorts(DeviceSelection selection) =>
        [.. selection.Choices
            .Where(c => c.DeviceClass is DeviceClass.IdCardReader or DeviceClass.FingerprintReader && c.Configured is not null)
            .SelectMany(c => c.Configured!.DeviceNodes.Select(node => (node, $"Kiosk:Devices:{c.Configured.Descriptor.Sections[0]}:PortName")))];

    public static async Task<IReadOnlyList<DeviceRow>> RunAsync(DeviceSelection selection, HealthCheckLevel level, string contentRoot, CancellationToken cancellationToken)
    {
        var rows = new Dictionary<DeviceClass, DeviceRow>();
        foreach (var choice in selection.Choices)
        {
            if (!choice.IsFitted)
            {
                rows[choice.DeviceClass] = string.Equals(choice.Driver, DriverRegistry.None, StringComparison.Ordinal)
                    ? new DeviceRow(choice.DeviceClass.ToString(), choice.Driver, "-", DeviceStatus.NoDevice.ToString(), DeviceRow.NotFitted, $"not fitted ({choice.Key} is None)", null)
                    : new DeviceRow(choice.DeviceClass.ToString(), choice.Driver, "-", DeviceStatus.NoDevice.ToString(), DeviceRow.Failed,
                        selection.Problems.FirstOrDefault(p => p.StartsWith(choice.Key + " ", StringComparison.Ordinal)) ?? $"{choice.Key} '{choice.Driver}' is not a driver this agent has",
                        $"set {choice.Key} to one of {string.Join(", ", Registry.NamesFor(choice.DeviceClass, includeSimulators: false))} (kioskctl config set {choice.Key} ...)");
            }
            else if (choice.Configured!.Problems() is { Count: > 0 } problems)
            {
                rows[choice.DeviceClass] = Row(choice, DeviceStatus.NoDevice, DeviceRow.Failed, string.Join("; ", problems),
                    $"fix {string.Join(" and ", choice.Configured.Descriptor.Sections.Select(s => "Kiosk:Devices:" + s))} (the agent refuses to start with it); 'kioskctl config validate' lists every problem");
            }
        }

        // Only the drivers whose settings are usable are built; the rest already have their row.
        var buildable = selection.Choices.Where(c => c.IsFitted && !rows.ContainsKey(c.DeviceClass)).ToList();
        var set = new DeviceSet(selection, contentRoot, TimeProvider.System);
        try
        {
            foreach (var choice in buildable)
            {
                var device = set.Get(choice.DeviceClass);
                rows[choice.DeviceClass] = device is UnavailableDevice unavailable
                    ? Row(choice, DeviceStatus.NoDevice, DeviceRow.Failed, $"cannot be created: {WhyUnavailable(choice, unavailable)}", Fix(choice, CompletionCode.DeviceNotReady))
                    : await ProbeOneAsync(device, choice, level, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await CloseAsync(set).ConfigureAwait(false);
        }

        return [.. selection.Choices.Select(c => rows[c.DeviceClass])];
    }

    private static string WhyUnavailable(DeviceChoice choice, UnavailableDevice device) =>
        choice.DeviceClass is DeviceClass.Indicators or DeviceClass.Sensors && OperatingSystem.IsLinux() && !Directory.EnumerateFileSystemEntries("/dev", "gpiochip*").Any()
            ? $"this machine has no /dev/gpiochip* ({device.Why})"
            : device.Why;

    /// <summary>Closes every device (serial ports, cameras, pins) within a bound, so a stuck driver cannot hang kioskctl.</summary>
    private static async Task CloseAsync(DeviceSet set)
    {
        try
        {
            await set.DisposeAsync().AsTask().WaitAsync(CloseBound).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The process is about to end, which closes whatever the driver still holds.
        }
    }

    private static async Task<DeviceRow> ProbeOneAsync(IDevice device, DeviceChoice choice, HealthCheckLevel level, CancellationToken cancellationToken)
    {
        try
        {
            var opened = await device.OpenAsync(cancellationToken).WaitAsync(OpenBound, cancellationToken).ConfigureAwait(false);
            if (!opened.IsSuccess)
            {
                // .NET reports a serial port that is not there as "access denied"; say what is really wrong.
                var missing = choice.Configured!.DeviceNodes.FirstOrDefault(node => !File.Exists(node) && !Directory.Exists(node) && choice.DeviceClass is DeviceClass.IdCardReader or DeviceClass.FingerprintReader);
                return missing is null
                    ? Row(choice, device.Status, DeviceRow.Failed, $"did not open: {Describe(opened.Code, opened.Description, opened.DeviceError)}", Fix(choice, opened.Code))
                    : Row(choice, device.Status, DeviceRow.Failed, $"did not open: {missing} does not exist ({opened.Description})",
                        $"plug the reader in, or set Kiosk:Devices:{choice.Configured.Descriptor.Sections[0]}:PortName to the port it is on (see 'serial ports' above; /dev/serial/by-id names do not change between boots)");
            }

            // Claim as the session would, to be sure nothing in this process holds it; release before the check,
            // because the hardware-touching health levels run only on a device nobody has claimed.
            var claim = await device.ClaimAsync(Owner, TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
            if (!claim.IsSuccess)
            {
                return Row(choice, device.Status, DeviceRow.Failed, $"could not be claimed: {Describe(claim.Code, claim.Description, claim.DeviceError)}", "another program holds it: stop the agent (or the other program) and probe again");
            }

            claim.Value!.Dispose();
            var health = await device.CheckHealthAsync(level, cancellationToken).WaitAsync(HealthBound, cancellationToken).ConfigureAwait(false);
            var model = Redact.Credentials(device.Capabilities.Model);
            var answer = health.Description is "" or "ok" ? "" : $": {Redact.Credentials(health.Description)}";
            if (health.Healthy && device.Status == DeviceStatus.Online)
            {
                return Row(choice, device.Status, DeviceRow.Ok, $"{model}{answer}", null);
            }

            if (health.Healthy || health.Code is CompletionCode.UserError or CompletionCode.NoMedia)
            {
                return Row(choice, device.Status, DeviceRow.Degraded, $"{model}: the {level} check {(health.Healthy ? "passed" : $"ended {health.Code}")} but the device is {device.Status}{answer}", Fix(choice, health.Code));
            }

            return Row(choice, device.Status, DeviceRow.Failed, $"{level} health check: {Describe(health.Code, health.Description, null)}", Fix(choice, health.Code));
        }
        catch (TimeoutException)
        {
            return Row(choice, device.Status, DeviceRow.Failed, "no answer: the driver did not finish opening or checking in time", Fix(choice, CompletionCode.Timeout));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Row(choice, device.Status, DeviceRow.Failed, "the check was canceled", Fix(choice, CompletionCode.Canceled));
        }
#pragma warning disable CA1031 // the HAL promises values, not exceptions; if a driver breaks that promise it is still one failed row
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            return Row(choice, device.Status, DeviceRow.Failed, $"the driver failed: {ex.GetType().Name}: {Redact.Credentials(ex.Message)}", Fix(choice, CompletionCode.HardwareError));
        }
    }

    private static string Describe(CompletionCode code, string description, string? deviceError) =>
        Redact.Credentials($"{code}: {description}{(deviceError is null ? "" : $" [{deviceError}]")}");

    private static DeviceRow Row(DeviceChoice choice, DeviceStatus status, string health, string detail, string? fix) =>
        new(choice.DeviceClass.ToString(), choice.Driver, Redact.Credentials(choice.Configured?.Location ?? "-"), status.ToString(), health, detail, fix);

    /// <summary>The driver's own fix; a device that is not ready may simply be held by the running agent.</summary>
    private static string Fix(DeviceChoice choice, CompletionCode code) =>
        choice.Configured!.Fix(code) + (code == CompletionCode.DeviceNotReady ? " If the agent is running it may hold the device: stop it and probe again." : "");
}
