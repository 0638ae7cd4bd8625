using Kiosk.Fleet.Measuring;

namespace Kiosk.Fleet.Platform;

/// <summary>
/// The platform side of a fleet run: one or more central-simulator instances behind one broker. The run starts, stops
/// (the outage), kills one (the kill scenario) and finally reads what was stored.
/// Thread safety: one caller at a time (the run's scenario loop).
/// </summary>
internal interface IFleetPlatform : IAsyncDisposable
{
    /// <summary>What runs, for the report (e.g. "1 in-process central simulator on SQLite").</summary>
    string Description { get; }

    /// <summary>The platform's own counts for the progress line (what it received, stored, acknowledged); empty when unknown.</summary>
    string Progress { get; }

    /// <summary>CPU seconds the platform's processes used so far; null when it shares this process.</summary>
    double? CpuSeconds { get; }

    /// <summary>Instances configured.</summary>
    int Instances { get; }

    /// <summary>Why <see cref="KillOneAsync"/> cannot be played, or null when it can.</summary>
    string? KillUnavailable { get; }

    /// <summary>Starts every instance that is not running (and was not killed); returns once each is subscribed.</summary>
    Task StartAsync(CancellationToken ct);

    /// <summary>Stops every running instance cleanly (what it has stored stays stored).</summary>
    Task StopAsync(CancellationToken ct);

    /// <summary>Kills one running instance (SIGKILL: acks it holds are lost), never to be restarted in this run.</summary>
    Task KillOneAsync(CancellationToken ct);

    /// <summary>Every record row the platform stored (one per row, duplicates included).</summary>
    Task<IReadOnlyList<StoredRow>> ReadStoredAsync(CancellationToken ct);
}
