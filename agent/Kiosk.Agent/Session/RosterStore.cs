using Kiosk.Agent.Control;
using Kiosk.Agent.Control.Commands;
using Microsoft.Extensions.Logging;

namespace Kiosk.Agent.Session;

/// <summary>
/// The platform's roster on this kiosk: loaded from the control store (sealed with the outbox key) at start, replaced by
/// <c>cmd/roster</c>. An update is validated against the roster in force (a delta's baseVersion must be its version; a
/// version must be above it), stored durably, and only then swapped in, as one reference: a lookup sees the old roster
/// or the new one, never a mix, and a session keeps the <see cref="RosterSnapshot"/> it started with.
/// Thread safety: lookups are lock-free; updates are serialised.
/// </summary>
public sealed partial class RosterStore : IDisposable
{
    /// <summary>The control store document holding the roster.</summary>
    public const string DocumentName = "roster";

    private readonly ControlStore _control;
    private readonly ILogger<RosterStore> _logger;
    private readonly SemaphoreSlim _updates = new(1, 1);
    private volatile RosterSnapshot? _current;

    public RosterStore(ControlStore control, ILogger<RosterStore> logger)
    {
        ArgumentNullException.ThrowIfNull(control);
        _control = control;
        _logger = logger;
        _current = Load();
    }

    /// <summary>The roster in force, or null when the platform has not sent one.</summary>
    public RosterSnapshot? Current => _current;

    /// <summary>Raised after a new roster is in force.</summary>
    public event EventHandler<RosterSnapshot>? Changed;

    /// <summary>Applies <paramref name="update"/>: the new roster in force, or null and why it was refused.</summary>
    public async Task<(RosterSnapshot? Applied, string Message)> ApplyAsync(RosterUpdate update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        await _updates.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = _current;
            if (current is not null && update.Version <= current.Version)
            {
                return (null, $"version {update.Version} is not above this kiosk's roster version {current.Version}");
            }

            List<RosterEntry> people;
            if (update.Mode == RosterMode.Full)
            {
                people = [.. update.People];
            }
            else
            {
                if (current is null || update.BaseVersion != current.Version)
                {
                    return (null, $"the delta applies to version {update.BaseVersion}, and this kiosk has {(current is null ? "no roster" : "version " + current.Version)}: send a full roster");
                }

                for (var i = 0; i < update.Remove.Count; i++)
                {
                    if (!current.People.Any(p => p.PersonId == update.Remove[i]))
                    {
                        return (null, $"remove[{i}]: that personId is not on roster version {current.Version}");
                    }
                }

                var replaced = update.People.Select(p => p.PersonId).Concat(update.Remove).ToHashSet(StringComparer.Ordinal);
                people = [.. current.People.Where(p => !replaced.Contains(p.PersonId)), .. update.People];
                var kept = current.People.Where(p => !replaced.Contains(p.PersonId)).Select(p => p.IdNumberHash).ToHashSet(StringComparer.Ordinal);
                for (var i = 0; i < update.People.Count; i++)
                {
                    if (kept.Contains(update.People[i].IdNumberHash))
                    {
                        return (null, $"people[{i}].idNumberHash: that ID number belongs to another person on roster version {current.Version}");
                    }
                }
            }

            var next = new RosterSnapshot(update.Version, people);
            await _control.SaveDocumentAsync(DocumentName, next.Version, RosterCommand.ToDocument(next.Version, next.People), cancellationToken).ConfigureAwait(false);
            _current = next;
            LogApplied(_logger, next.Version, next.People.Count, update.Mode == RosterMode.Full ? "full" : "delta");
            Changed?.Invoke(this, next);
            return (next, $"roster version {next.Version} in force: {next.People.Count} people");
        }
        finally
        {
            _updates.Release();
        }
    }

    private RosterSnapshot? Load()
    {
        try
        {
            if (_control.LoadDocument(DocumentName) is not { } stored)
            {
                return null;
            }

            if (!RosterCommand.TryParse(stored.Content, out var update, out var error) || update!.Mode != RosterMode.Full || update.Version != stored.Version)
            {
                LogUnreadable(_logger, "it does not read back: " + (error.Length > 0 ? error : "not a full roster of its own version"));
                return null;
            }

            return new RosterSnapshot(update.Version, update.People);
        }
        catch (InvalidDataException ex)
        {
            // Altered or sealed with another key: the kiosk has no roster until the platform sends one again.
            LogUnreadable(_logger, ex.Message);
            return null;
        }
    }

    public void Dispose() => _updates.Dispose();

    [LoggerMessage(EventId = 2401, Level = LogLevel.Information, Message = "Roster version {Version} in force ({People} people, from a {Mode} update)")]
    private static partial void LogApplied(ILogger logger, long version, int people, string mode);

    [LoggerMessage(EventId = 2402, Level = LogLevel.Error, Message = "The stored roster is not usable ({Problem}); this kiosk has no roster until the platform sends one")]
    private static partial void LogUnreadable(ILogger logger, string problem);
}
