namespace Kiosk.Devices;

/// <summary>Speaker: plays prompts.</summary>
public interface IAudioPlayer : IDevice
{
    Task<DeviceResult<Done>> PlayAsync(DeviceClaim claim, AudioPrompt prompt, CancellationToken cancellationToken);
}

/// <summary>A prompt by name (looked up in the prompt folder) or raw WAV bytes.</summary>
public sealed record AudioPrompt(string Name)
{
    public ReadOnlyMemory<byte> Wav { get; init; }
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
}
