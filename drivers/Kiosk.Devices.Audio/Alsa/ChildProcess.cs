using System.ComponentModel;
using System.Diagnostics;

namespace Kiosk.Devices.Audio;

/// <summary>
/// An ALSA tool (arecord, aplay) or its stand-in run as a child process: stdout and stdin as streams, stderr
/// collected in the background for the error message, killed with its whole tree when the operation ends early.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _standardError;

    private ChildProcess(Process process)
    {
        _process = process;
        _standardError = process.StandardError.ReadToEndAsync();
    }

    public Stream Output => _process.StandardOutput.BaseStream;

    public Stream Input => _process.StandardInput.BaseStream;

    /// <summary>Starts <paramref name="command"/>; null with the reason when it cannot be started (not installed, not executable).</summary>
    public static ChildProcess? TryStart(string command, IEnumerable<string> arguments, bool writeInput, out string error)
    {
        var info = new ProcessStartInfo(command)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = writeInput,
            CreateNoWindow = true,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info };
        try
        {
            process.Start();
            error = "";
            return new ChildProcess(process);
        }
        catch (Win32Exception ex)
        {
            process.Dispose();
            error = $"cannot start {command}: {ex.Message}";
            return null;
        }
    }

    public string Describe() => $"{_process.StartInfo.FileName} {string.Join(' ', _process.StartInfo.ArgumentList)}";

    /// <summary>Ends the process and its children; safe to call at any time, also after it exited.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It has already exited.
        }
    }

    /// <summary>Waits for the exit (the caller kills the process on cancellation) and returns the exit code and stderr.</summary>
    public async Task<(int ExitCode, string StandardError)> WaitForExitAsync()
    {
        await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        var standardError = await _standardError.ConfigureAwait(false);
        return (_process.ExitCode, standardError.Trim());
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
