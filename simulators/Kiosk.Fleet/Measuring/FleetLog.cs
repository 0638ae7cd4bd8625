using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Kiosk.Fleet.Measuring;

/// <summary>
/// The kiosks' log: a thousand agents say the same thing at once (every one loses the broker in a storm), so each event
/// id is written to stderr only the first <see cref="ShownPerEvent"/> times and counted after that; the counts go into
/// the report. The agent's messages carry no personal data (its logging rules), and the fleet's check-ins hold none.
/// Thread safety: loggers may be used from any thread.
/// </summary>
internal sealed class FleetLog(TextWriter output) : ILoggerProvider
{
    private const int ShownPerEvent = 3;
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    /// <summary>Warnings and errors by "EventId Category", for the report.</summary>
    public IReadOnlyDictionary<string, long> Counts => new SortedDictionary<string, long>(_counts, StringComparer.Ordinal);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName[(categoryName.LastIndexOf('.') + 1)..]);

    public void Dispose()
    {
    }

    private void Write(string category, LogLevel level, EventId eventId, string message, Exception? exception)
    {
        var key = $"{eventId.Id} {category}";
        var count = _counts.AddOrUpdate(key, 1, (_, n) => n + 1);
        if (count <= ShownPerEvent)
        {
            output.WriteLine($"fleet: agent {level} {key}: {message}{(exception is null ? "" : " (" + exception.GetType().Name + ": " + exception.Message + ")")}{(count == ShownPerEvent ? " [further ones counted, not shown]" : "")}");
        }
    }

    private sealed class Logger(FleetLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                log.Write(category, logLevel, eventId, formatter(state, exception), exception);
            }
        }
    }
}
