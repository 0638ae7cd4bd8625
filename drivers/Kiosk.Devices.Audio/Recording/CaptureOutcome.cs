namespace Kiosk.Devices.Audio;

/// <summary>How a capture ended: the PCM read, whether the process started, whether we stopped it, its exit code and stderr.</summary>
internal sealed record CaptureOutcome(byte[] Pcm, bool Started, bool StoppedByUs, int ExitCode, string StandardError)
{
    /// <summary>Turns a failed capture into its completion code and the device status it implies, or null when it did not fail.</summary>
    public (DeviceResult<T> Result, DeviceStatus? Status)? Failure<T>(string deviceName)
    {
        if (!Started)
        {
            return (DeviceResult<T>.Failure(CompletionCode.DeviceNotReady, $"{deviceName}: {StandardError}", "notInstalled"), DeviceStatus.NoDevice);
        }

        if (StoppedByUs || ExitCode == 0)
        {
            return null;
        }

        var reason = AlsaErrors.LastLine(StandardError);
        if (AlsaErrors.IsDeviceMissing(StandardError))
        {
            return (DeviceResult<T>.Failure(CompletionCode.DeviceNotReady, $"{deviceName}: no capture device: {reason}", $"exit {ExitCode}"), DeviceStatus.NoDevice);
        }

        if (Pcm.Length > 0)
        {
            // The process died after audio had started (killed, device gone mid-way): the recording is lost, retrying may work.
            return (DeviceResult<T>.Failure(CompletionCode.DeviceNotReady, $"{deviceName}: capture ended after {Pcm.Length} bytes (exit {ExitCode}): {reason}", $"exit {ExitCode}"), null);
        }

        return (DeviceResult<T>.Failure(CompletionCode.HardwareError, $"{deviceName}: capture failed (exit {ExitCode}): {reason}", $"exit {ExitCode}"), DeviceStatus.HardwareError);
    }
}
