namespace Kiosk.Agent.Configuration;

/// <summary>Configuration section <c>Kiosk</c>: who this kiosk is and where it keeps its data.</summary>
public sealed class KioskOptions
{
    public const string Section = "Kiosk";

    /// <summary>Office (site) id, as the platform knows it.</summary>
    public string SiteId { get; set; } = "";

    /// <summary>Terminal id, unique within the site.</summary>
    public string KioskId { get; set; } = "";

    /// <summary><c>demo</c> allows a plain-TCP broker; <c>production</c> requires TLS.</summary>
    public string Profile { get; set; } = "production";

    /// <summary>Folder for the outbox and other state. A relative path is under the host's content root (the production agent's program folder); an installed kiosk gives an absolute one.</summary>
    public string DataFolder { get; set; } = "kiosk-data/agent";

    public RosterOptions Roster { get; set; } = new();

    /// <summary>Telemetry heartbeat period.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Section <c>Kiosk:LocalApi</c>: the loopback-only HTTP API (kioskctl status and queue, the kiosk screen).</summary>
    public LocalApiOptions LocalApi { get; set; } = new();

    /// <summary>Section <c>Kiosk:Screen</c>: what the kiosk screen greets with and when it blanks.</summary>
    public ScreenOptions Screen { get; set; } = new();

    /// <summary>Section <c>Kiosk:Control</c>: how platform commands act on this kiosk.</summary>
    public ControlOptions Control { get; set; } = new();

    /// <summary>Section <c>Kiosk:LogFile</c>: the agent's own rolling log in <c>{DataFolder}/logs</c> (what <c>cmd/logs</c> uploads).</summary>
    public LogFileOptions LogFile { get; set; } = new();

    public bool IsDemo => string.Equals(Profile, "demo", StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// Configuration section <c>Kiosk:Roster</c>. A production kiosk's roster comes from the platform only; a generated
/// roster of simulated people exists only in the demo and test hosts, and the production profile refuses it.
/// </summary>
public sealed class RosterOptions
{
    /// <summary>Number of simulated people (the simulators' deterministic set) the demo and test hosts put on the roster; 0 in production.</summary>
    public int SimulatedPeople { get; set; }

    /// <summary>Seed of the simulated people; the simulated ID card reader must use the same one.</summary>
    public int Seed { get; set; } = 1;
}

/// <summary>Configuration section <c>Kiosk:Control</c>.</summary>
public sealed class ControlOptions
{
    /// <summary>
    /// After a restart for a configuration change (<c>cmd/config</c>), how long the agent has to report healthy (connected
    /// to the broker) before the previous configuration file comes back by itself.
    /// </summary>
    public TimeSpan ConfigHealthTimeout { get; set; } = TimeSpan.FromMinutes(2);
}

/// <summary>Configuration section <c>Kiosk:LogFile</c>: a size-bounded rolling log, at most <see cref="Files"/> × <see cref="MaxFileBytes"/>.</summary>
public sealed class LogFileOptions
{
    /// <summary>False: no log file (and <c>cmd/logs</c> has nothing to send).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>A file is closed and a new one begun at this size.</summary>
    public long MaxFileBytes { get; set; } = 4L * 1024 * 1024;

    /// <summary>Files kept, the current one included; the oldest goes first.</summary>
    public int Files { get; set; } = 8;
}

/// <summary>Configuration section <c>Kiosk:Screen</c>: the kiosk screen served on the local API.</summary>
public sealed class ScreenOptions
{
    /// <summary>The office's name at the top of every screen (default: the product's name).</summary>
    public string? OfficeName { get; set; }

    /// <summary>
    /// On the start screen with nobody there, the page goes black after this long, and wakes at a touch or when the presence
    /// sensor sees someone. <c>00:00:00</c> never blanks; otherwise from 00:00:05 to 01:00:00.
    /// </summary>
    public TimeSpan BlankAfter { get; set; } = TimeSpan.FromMinutes(5);
}
