using System.Diagnostics;

namespace Kiosk.Ctl.Tests;

/// <summary>
/// Two linked pseudo-terminals made by socat (as in Kiosk.Drivers.Serial.Tests): the configuration names
/// <see cref="KioskPath"/> as the reader's serial port, a stand-in answers on <see cref="DevicePath"/>.
/// </summary>
internal sealed class ProbeSocatPair : IDisposable
{
    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(15);
    private readonly Process _process;
    private readonly string _directory;

    private ProbeSocatPair(Process process, string directory)
    {
        _process = process;
        _directory = directory;
    }

    public string KioskPath => Path.Combine(_directory, "kiosk");

    public string DevicePath => Path.Combine(_directory, "device");

    public static ProbeSocatPair Start()
    {
        var directory = Directory.CreateTempSubdirectory("kioskctl-probe-").FullName;
        var start = new ProcessStartInfo("socat")
        {
            ArgumentList = { "-d", "-d", $"pty,raw,echo=0,link={directory}/kiosk", $"pty,raw,echo=0,link={directory}/device" },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("socat did not start");
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        var pair = new ProbeSocatPair(process, directory);
        var deadline = Stopwatch.StartNew();
        while (!(File.Exists(pair.KioskPath) && File.Exists(pair.DevicePath)))
        {
            if (process.HasExited || deadline.Elapsed > StartBound)
            {
                pair.Dispose();
                throw new InvalidOperationException($"socat made no pty pair within {StartBound.TotalSeconds} s (apt-get install socat)");
            }

            Thread.Sleep(10); // waiting on another process, not on in-process work
        }

        return pair;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(StartBound);
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // socat may still be removing its links; the temp directory is cleaned by the OS.
        }
    }
}
