namespace Kiosk.Drivers.Audio.Tests;

/// <summary>Bounds for waiting on real child processes (the fake clock only drives the drivers' timeouts).</summary>
internal static class RealIo
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
}
