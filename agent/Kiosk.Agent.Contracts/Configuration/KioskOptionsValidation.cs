using System.Text.RegularExpressions;
using Kiosk.Agent.Devices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Kiosk.Agent.Configuration;

/// <summary>
/// Checks the whole configuration once at start and reports every problem in one message, each naming
/// the key and the fix, so a technician fixes the file once instead of restarting once per mistake.
/// </summary>
internal sealed partial class KioskOptionsValidation(
    IOptions<SyncOptions> sync, IOptions<SessionOptions> session, IOptions<OutboxOptions> outbox, IOptions<ProvisioningOptions> provisioning, IConfiguration configuration, DriverRegistry drivers, IHostEnvironment environment)
    : IValidateOptions<KioskOptions>
{
    public ValidateOptionsResult Validate(string? name, KioskOptions options)
    {
        var errors = new List<string>();
        if (!IdPattern().IsMatch(options.SiteId))
        {
            errors.Add($"Kiosk:SiteId '{options.SiteId}' is not valid: use 1-64 letters, digits, '-' or '_' (the office id the platform gave you).");
        }
        else if (string.Equals(options.SiteId, "provisioning", StringComparison.OrdinalIgnoreCase))
        {
            // kiosk/v1/provisioning/... carries enrollment; a site of that name would share its topics.
            errors.Add("Kiosk:SiteId 'provisioning' is reserved for enrollment topics (kiosk/v1/provisioning/...): use the office id the platform gave you.");
        }

        if (!IdPattern().IsMatch(options.KioskId))
        {
            errors.Add($"Kiosk:KioskId '{options.KioskId}' is not valid: use 1-64 letters, digits, '-' or '_' (the terminal id, unique in the site).");
        }

        if (options.Profile is not ("demo" or "production"))
        {
            errors.Add($"Kiosk:Profile '{options.Profile}' is not known: use 'production' (TLS required) or 'demo' (local broker).");
        }
        else if (!options.IsDemo)
        {
            CheckTls(sync.Value.Tls, Path.GetFullPath(options.DataFolder, environment.ContentRootPath), errors);
        }

        if (string.IsNullOrWhiteSpace(options.DataFolder))
        {
            errors.Add("Kiosk:DataFolder is empty: set it to a writable folder (e.g. /var/lib/kiosk).");
        }

        if (options.Control.ConfigHealthTimeout < TimeSpan.FromSeconds(1) || options.Control.ConfigHealthTimeout > TimeSpan.FromHours(1))
        {
            errors.Add($"Kiosk:Control:ConfigHealthTimeout '{options.Control.ConfigHealthTimeout}' must be between 00:00:01 and 01:00:00 (default 00:02:00).");
        }

        if (options.LogFile.MaxFileBytes is < 64 * 1024 or > 256L * 1024 * 1024)
        {
            errors.Add($"Kiosk:LogFile:MaxFileBytes {options.LogFile.MaxFileBytes} must be between 65536 and 268435456 (default 4194304).");
        }

        if (options.LogFile.Files is < 1 or > 100)
        {
            errors.Add($"Kiosk:LogFile:Files {options.LogFile.Files} must be between 1 and 100 (default 8).");
        }

        if (options.HeartbeatInterval < TimeSpan.FromSeconds(1))
        {
            errors.Add($"Kiosk:HeartbeatInterval '{options.HeartbeatInterval}' is too short: use 00:00:01 or more (default 00:00:30).");
        }

        if (options.Screen.BlankAfter != TimeSpan.Zero && (options.Screen.BlankAfter < TimeSpan.FromSeconds(5) || options.Screen.BlankAfter > TimeSpan.FromHours(1)))
        {
            errors.Add($"Kiosk:Screen:BlankAfter '{options.Screen.BlankAfter}' must be 00:00:00 (never blank) or from 00:00:05 to 01:00:00 (default 00:05:00).");
        }

        if (options.LocalApi.Enabled && !LocalApiOptions.TryParse(options.LocalApi.Url, out _, out var localApiProblem))
        {
            errors.Add(localApiProblem);
        }

        errors.AddRange(DeviceSelection.Read(configuration, drivers, options.IsDemo).Problems);
        CheckRoster(options, errors);

        CheckSync(sync.Value, errors);
        CheckSession(session.Value, errors);
        if (provisioning.Value.Port is { } enrollmentPort && enrollmentPort is < 1 or > 65535)
        {
            errors.Add($"Kiosk:Provisioning:Port '{enrollmentPort}' is not a TCP port: give the broker's enrollment listener, 1 to 65535 (kioskctl init --provisioning-port sets it).");
        }

        errors.AddRange(DroppedSteps(configuration));
        CheckOutbox(outbox.Value, errors);

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>A production roster comes from the platform only; simulated people exist only where simulators are registered.</summary>
    private void CheckRoster(KioskOptions options, List<string> errors)
    {
        var generated = options.Roster.SimulatedPeople;
        if (generated < 0)
        {
            errors.Add($"Kiosk:Roster:SimulatedPeople '{generated}' must be 0 or more (0: no generated roster).");
        }
        else if (generated > 0 && !options.IsDemo)
        {
            errors.Add($"Kiosk:Roster:SimulatedPeople '{generated}' asks for a generated roster of simulated people, and Kiosk:Profile 'production' takes its roster from the platform only: remove the key, or set Kiosk:Profile=demo on a demo machine.");
        }
        else if (generated > 0 && !drivers.HasSimulators)
        {
            errors.Add($"Kiosk:Roster:SimulatedPeople '{generated}' asks for simulated people, and this build of the agent has none (only the demo has): remove the key.");
        }
    }

    private static void CheckSync(SyncOptions sync, List<string> errors)
    {
        var context = new System.ComponentModel.DataAnnotations.ValidationContext(sync);
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        System.ComponentModel.DataAnnotations.Validator.TryValidateObject(sync, context, results, validateAllProperties: true);
        errors.AddRange(results.Select(r => r.ErrorMessage ?? "Kiosk:Sync is not valid"));
        if (sync.AckTimeout < TimeSpan.FromSeconds(1))
        {
            errors.Add($"Kiosk:Sync:AckTimeout '{sync.AckTimeout}' is too short: use 00:00:01 or more (default 00:01:00).");
        }

        if (sync.AckTimeoutMax < TimeSpan.FromSeconds(1) || sync.AckTimeoutMax > TimeSpan.FromDays(1))
        {
            errors.Add($"Kiosk:Sync:AckTimeoutMax '{sync.AckTimeoutMax}' must be between 00:00:01 and 1.00:00:00 (default 00:02:00; below Kiosk:Sync:AckTimeout, AckTimeout is used).");
        }

        if (sync.ConnectTimeout < TimeSpan.FromSeconds(1) || sync.ConnectTimeout > TimeSpan.FromMinutes(5))
        {
            errors.Add($"Kiosk:Sync:ConnectTimeout must be between 00:00:01 and 00:05:00 (default 00:00:15); it is {sync.ConnectTimeout}.");
        }

        if (sync.ReconnectBaseDelay <= TimeSpan.Zero || sync.ReconnectMaxDelay < sync.ReconnectBaseDelay)
        {
            errors.Add("Kiosk:Sync:ReconnectBaseDelay must be positive and not above Kiosk:Sync:ReconnectMaxDelay (defaults 00:00:01 and 00:01:00).");
        }
    }

    /// <summary>Outside the demo, the agent talks to the broker only over mutual TLS with enrolled credentials.</summary>
    private static void CheckTls(TlsOptions tls, string dataFolder, List<string> errors)
    {
        if (!tls.Enabled)
        {
            errors.Add("Kiosk:Sync:Tls:Enabled is false, but Kiosk:Profile 'production' talks to the broker only over mutual TLS: run 'kioskctl enroll' (it writes the Tls keys), or set Kiosk:Profile=demo for a local demo broker.");
            return;
        }

        foreach (var (key, file) in new[] { ("CaFile", tls.CaFile), ("ClientCertificateFile", tls.ClientCertificateFile), ("ClientKeyFile", tls.ClientKeyFile) })
        {
            if (string.IsNullOrWhiteSpace(file))
            {
                errors.Add($"Kiosk:Sync:Tls:{key} is empty: set it to the PEM file 'kioskctl enroll' wrote.");
            }
            else if (!File.Exists(Path.GetFullPath(file, dataFolder)))
            {
                errors.Add($"Kiosk:Sync:Tls:{key} '{file}' does not exist (relative paths are under Kiosk:DataFolder): run 'kioskctl enroll' again or fix the path.");
            }
            else if (key == "CaFile")
            {
                // The same reading the connection does: a CA file with no usable certificate can trust no broker.
                try
                {
                    using var bundle = Tls.CaBundle.Load(Path.GetFullPath(file, dataFolder));
                }
                catch (OptionsValidationException ex)
                {
                    errors.AddRange(ex.Failures);
                }
            }
        }
    }

    private static void CheckOutbox(OutboxOptions outbox, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(outbox.DatabaseFile))
        {
            errors.Add("Kiosk:Outbox:DatabaseFile is empty: set it to a file name such as outbox.db.");
        }

        if (outbox.BudgetBytes < 1024 * 1024)
        {
            errors.Add($"Kiosk:Outbox:BudgetBytes '{outbox.BudgetBytes}' is below 1 MiB: give the outbox room for days of check-ins (default 2147483648, 2 GiB).");
        }

        if (outbox.WarningPercent < 1 || outbox.WarningPercent >= outbox.HighWaterPercent || outbox.HighWaterPercent >= 100)
        {
            errors.Add($"Kiosk:Outbox:WarningPercent ({outbox.WarningPercent}) must be below Kiosk:Outbox:HighWaterPercent ({outbox.HighWaterPercent}), which must be below 100 so alerts keep room (defaults 80 and 90).");
        }

        if (outbox.TelemetryTimeToLive <= TimeSpan.Zero)
        {
            errors.Add($"Kiosk:Outbox:TelemetryTimeToLive '{outbox.TelemetryTimeToLive}' must be positive (default 01:00:00).");
        }
    }

    private static void CheckSession(SessionOptions session, List<string> errors)
    {
        foreach (var (level, steps) in session.EffectiveLevels)
        {
            if (steps.Count == 0 || steps[0] != CheckInStep.IdCard)
            {
                errors.Add($"Kiosk:Session:Levels:{level} must start with IdCard: the person is identified before anything else.");
            }

            if (steps.Distinct().Count() != steps.Count)
            {
                errors.Add($"Kiosk:Session:Levels:{level} lists a step twice: list each step once.");
            }
        }

        if (session.FaceAttempts < 1)
        {
            errors.Add($"Kiosk:Session:FaceAttempts '{session.FaceAttempts}' must be 1 or more (default 2).");
        }

        if (session.CallStaffInterval < TimeSpan.FromSeconds(1) || session.CallStaffInterval > TimeSpan.FromMinutes(10))
        {
            errors.Add($"Kiosk:Session:CallStaffInterval '{session.CallStaffInterval}' must be from 00:00:01 to 00:10:00 (default 00:00:30): it bounds how often the call button raises an alert.");
        }

        if (session.ReceiptTimeout < TimeSpan.FromSeconds(1) || session.ReceiptTimeout > TimeSpan.FromMinutes(10))
        {
            errors.Add($"Kiosk:Session:ReceiptTimeout '{session.ReceiptTimeout}' must be from 00:00:01 to 00:10:00 (default 00:00:20): it is how long the receipt stays on the screen before the kiosk returns to its start.");
        }

        if (session.StepTimeout < TimeSpan.FromSeconds(1) || session.IdleTimeout < session.StepTimeout)
        {
            errors.Add("Kiosk:Session:StepTimeout must be at least 00:00:01 and Kiosk:Session:IdleTimeout at least as long (defaults 00:00:30 and 00:02:00).");
        }
    }

    /// <summary>
    /// The binder skips a list item it cannot convert without a word, so a misspelt step in Kiosk:Session:Levels would
    /// quietly drop that step from the level's policy and the agent would start without it.
    /// </summary>
    private static IEnumerable<string> DroppedSteps(IConfiguration configuration) =>
        configuration.GetSection("Kiosk:Session:Levels").GetChildren()
            .SelectMany(level => level.GetChildren())
            .Where(step => step.Value is not null && (!Enum.TryParse<CheckInStep>(step.Value, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed)))
            .Select(step => $"{step.Path} '{step.Value}' is not a step: use one of {string.Join(", ", Enum.GetNames<CheckInStep>())} (the agent would silently leave it out of the level).");

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex IdPattern();
}
