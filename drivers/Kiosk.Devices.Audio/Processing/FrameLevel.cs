namespace Kiosk.Devices.Audio;

/// <summary>The level of one metering frame: RMS and peak in dBFS (see <see cref="LevelMeter"/> for the reference).</summary>
public readonly record struct FrameLevel(TimeSpan Start, TimeSpan Length, double RmsDbfs, double PeakDbfs)
{
    public TimeSpan End => Start + Length;
}
