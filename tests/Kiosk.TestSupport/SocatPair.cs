using System.Diagnostics;

namespace Kiosk.TestSupport;

/// <summary>
/// Two linked pseudo terminals made by socat: the code under test opens <see cref="KioskPath"/> as its serial port
/// (a driver, or kioskctl probe through the configuration), a <see cref="DeviceStandIn"/> answers on
/// <see cref="DevicePath"/>. Killing socat is pulling the cable.
/// </summary>
public sealed class SocatPair : IDisposable
{
    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(15);
    private readonly Process _process;
    private readonly string _directory;

    private SocatPair(Process process, string directory)
    {
        _process = process;
        _directory = directory;
    }

    public string KioskPath => Path.Combine(_directory, "kiosk");

    public string DevicePath => Path.Combine(_directory, "device");

    public static SocatPair Start()
    {
        var directory = Directory.CreateTempSubdirectory("kiosk-serial-").FullName;
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
        var pair = new SocatPair(process, directory);
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

    /// <summary>Kills socat and waits for it to be gone: both ends see the line drop.</summary>
    public void Unplug()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(StartBound);
        }
    }

    public void Dispose()
    {
        Unplug();
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
