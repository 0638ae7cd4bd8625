using System.Globalization;
using System.Text;
using Kiosk.Agent.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kiosk.Agent.Logging;

/// <summary>
/// The agent's own log file, <c>{DataFolder}/logs/agent.log</c>, for <c>cmd/logs</c>: one line per entry (UTC time,
/// level, category, event id, message; an exception by its type only), scrubbed by <see cref="LogRedactor"/>, and
/// bounded: at <see cref="LogFileOptions.MaxFileBytes"/> the file becomes <c>agent.1.log</c> (the older ones move up)
/// and at most <see cref="LogFileOptions.Files"/> files are kept. What is written follows the host's Logging filters
/// like every provider. A write that fails is dropped: logging never stops the agent.
/// Thread safety: all members may be called concurrently (one lock).
/// </summary>
[ProviderAlias("File")]
public sealed class RollingFileLog : ILoggerProvider
{
    public const string FileName = "agent.log";

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly long _maxBytes;
    private readonly int _files;
    private FileStream? _stream;
    private bool _disposed;

    /// <summary>Lines logged before the host started: written once it has, dropped if it never does.</summary>
    private Queue<byte[]>? _early = new();

    /// <summary>At most this many lines wait for the start; the oldest go first.</summary>
    public const int EarlyLines = 500;

    /// <summary>Reads its folder and bounds from the raw configuration (not the validated options: a logger is made before validation runs).</summary>
    public RollingFileLog(IConfiguration configuration, IHostEnvironment environment, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        var options = new LogFileOptions();
        var dataFolder = new KioskOptions().DataFolder;
        try
        {
            configuration.GetSection("Kiosk:LogFile").Bind(options);
            dataFolder = configuration["Kiosk:DataFolder"] is { Length: > 0 } folder ? folder : dataFolder;
        }
        catch (InvalidOperationException)
        {
            // A value that does not convert: the host refuses to start with it anyway; defaults until then.
        }

        Enabled = options.Enabled;
        _maxBytes = Math.Clamp(options.MaxFileBytes, 64 * 1024, 256L * 1024 * 1024);
        _files = Math.Clamp(options.Files, 1, 100);
        Folder = Path.Combine(Path.GetFullPath(dataFolder, environment.ContentRootPath), "logs");
        _time = time;
    }

    public bool Enabled { get; }

    public string Folder { get; }

    public ILogger CreateLogger(string categoryName) => new FileLogger(this, categoryName);

    /// <summary>
    /// The lines written at or after <paramref name="since"/>, oldest first, at most <paramref name="maxBytes"/> (the
    /// newest are kept), scrubbed again (files of an older release). Truncated: older lines were left out.
    /// </summary>
    public (byte[] Content, int Lines, bool Truncated) ReadSince(DateTimeOffset since, int maxBytes)
    {
        var kept = new LinkedList<string>();
        long size = 0;
        var truncated = false;
        lock (_lock)
        {
            _stream?.Flush();
            for (var i = _files - 1; i >= 0; i--)
            {
                var path = PathOf(i);
                if (!File.Exists(path))
                {
                    continue;
                }

                try
                {
                    using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete), Encoding.UTF8);
                    while (reader.ReadLine() is { } line)
                    {
                        var tab = line.IndexOf('\t', StringComparison.Ordinal);
                        if (tab <= 0 || !DateTimeOffset.TryParseExact(line.AsSpan(0, tab), "O", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) || at < since)
                        {
                            continue;
                        }

                        var scrubbed = LogRedactor.Scrub(line);
                        kept.AddLast(scrubbed);
                        size += Encoding.UTF8.GetByteCount(scrubbed) + 1;
                        while (size > maxBytes && kept.First is { } first)
                        {
                            size -= Encoding.UTF8.GetByteCount(first.Value) + 1;
                            kept.RemoveFirst();
                            truncated = true;
                        }
                    }
                }
                catch (IOException)
                {
                    // Rotated away while read: what was read is kept.
                }
            }
        }

        var text = new StringBuilder();
        foreach (var line in kept)
        {
            text.Append(line).Append('\n');
        }

        return (Encoding.UTF8.GetBytes(text.ToString()), kept.Count, truncated);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _stream?.Dispose();
            _stream = null;
        }
    }

    internal void Write(LogLevel level, string category, EventId eventId, string message, Exception? exception)
    {
        if (!Enabled)
        {
            return;
        }

        var line = string.Create(
            CultureInfo.InvariantCulture,
            $"{_time.GetUtcNow().UtcDateTime:O}\t{Short(level)}\t{category}\t{eventId.Id}\t{message.ReplaceLineEndings(" ")}{(exception is null ? "" : " [" + exception.GetType().Name + "]")}");
        var bytes = Encoding.UTF8.GetBytes(LogRedactor.Scrub(line) + "\n");
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            if (_early is not null)
            {
                // An agent that does not start (a configuration mistake, a run that only validates) leaves no file behind.
                if (_early.Count == EarlyLines)
                {
                    _early.Dequeue();
                }

                _early.Enqueue(bytes);
                return;
            }

            Append(bytes);
        }
    }

    /// <summary>The host has started: from now on lines go to the file, the ones logged during start first.</summary>
    public void Open()
    {
        lock (_lock)
        {
            if (_early is null || _disposed)
            {
                return;
            }

            var early = _early;
            _early = null;
            while (early.TryDequeue(out var bytes))
            {
                Append(bytes);
            }
        }
    }

    private void Append(byte[] bytes)
    {
        {
            try
            {
                if (_stream is null)
                {
                    Directory.CreateDirectory(Folder);
                    _stream = new FileStream(PathOf(0), FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
                }

                if (_stream.Length > 0 && _stream.Length + bytes.Length > _maxBytes)
                {
                    Rotate();
                }

                _stream.Write(bytes);
                _stream.Flush();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _stream?.Dispose();
                _stream = null;
            }
        }
    }

    private void Rotate()
    {
        _stream!.Dispose();
        _stream = null;
        File.Delete(PathOf(_files - 1));
        for (var i = _files - 2; i >= 0; i--)
        {
            if (File.Exists(PathOf(i)))
            {
                File.Move(PathOf(i), PathOf(i + 1), overwrite: true);
            }
        }

        _stream = new FileStream(PathOf(0), FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
    }

    private string PathOf(int index) => Path.Combine(Folder, index == 0 ? FileName : $"agent.{index.ToString(CultureInfo.InvariantCulture)}.log");

    private static string Short(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };

    private sealed class FileLogger(RollingFileLog owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => owner.Enabled && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner.Write(logLevel, category, eventId, formatter(state, exception), exception);
            }
        }
    }
}

/// <summary>Opens the agent's log file once the host has started (registered before every other hosted service).</summary>
internal sealed class RollingFileLogStart(RollingFileLog log) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        log.Open();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
