using System.Diagnostics;
using Kiosk.Fleet.Measuring;

namespace Kiosk.Fleet.Platform;

/// <summary>
/// One <c>kiosk-central</c> process of the platform: started with its own client id in the shared subscription group,
/// stopped cleanly by closing its standard input (<c>--exit-on-stdin-close</c>), or killed with SIGKILL. Its stdout
/// says one line per record stored ("stored ... duplicate=false|true"), which it counts.
/// Thread safety: start, stop and kill from one caller; the counters may be read from any thread.
/// </summary>
internal sealed class PlatformProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _stored;
    private long _duplicates;
    private double _cpuSeconds;

    private PlatformProcess(Process process, string name, TextWriter log)
    {
        _process = process;
        Name = name;
        process.OutputDataReceived += (_, e) => OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line)
            {
                log.WriteLine($"{name}: {line}");
            }
        };
        process.Exited += (_, _) => _listening.TrySetException(new InvalidOperationException($"{name} exited with code {process.ExitCode} before it listened; its messages are above"));
    }

    public string Name { get; }

    public bool IsRunning => !_process.HasExited;

    public long Stored => Interlocked.Read(ref _stored);

    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>The process's CPU seconds (the last reading while it ran).</summary>
    public double CpuSeconds
    {
        get
        {
            if (!_process.HasExited && ProcessCpu.Seconds(_process.Id) is { } now)
            {
                Volatile.Write(ref _cpuSeconds, now);
            }

            return Volatile.Read(ref _cpuSeconds);
        }
    }

    /// <summary>Starts <c>dotnet kiosk-central.dll ARGS</c> and returns once it says it listens (bounded).</summary>
    public static async Task<PlatformProcess> StartAsync(string centralDll, IReadOnlyList<string> arguments, string name, TextWriter log, CancellationToken ct)
    {
        if (!File.Exists(centralDll))
        {
            throw new InvalidOperationException($"the platform simulator {centralDll} is missing; build simulators/Kiosk.Fleet (it brings kiosk-central along)");
        }

        var start = new ProcessStartInfo("dotnet", [centralDll, .. arguments])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var platform = new PlatformProcess(process, name, log);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await platform._listening.Task.WaitAsync(TimeSpan.FromSeconds(90), ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await platform.KillAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"{name} did not listen within 90 s; its messages are above");
        }

        return platform;
    }

    /// <summary>A clean stop: the end of its standard input, then up to 30 s to send the acks it holds and exit.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        _ = CpuSeconds;
        _process.StandardInput.Close();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(bound.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await KillAsync().ConfigureAwait(false);
        }
    }

    /// <summary>SIGKILL: what it held in memory (acks not yet sent, chunks) is gone.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        _ = CpuSeconds;
        _process.Kill();
        await _process.WaitForExitAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _process.Dispose();
    }

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (line.StartsWith("stored ", StringComparison.Ordinal))
        {
            if (line.EndsWith("duplicate=true", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _duplicates);
            }
            else
            {
                Interlocked.Increment(ref _stored);
            }
        }
        else if (line.StartsWith("central: listening", StringComparison.Ordinal))
        {
            _listening.TrySetResult();
        }
    }
}
