namespace Kiosk.Devices.Audio;

/// <summary>
/// Speaker through ALSA: pipes the prompt's WAV bytes into <c>aplay -D device -q -</c> and waits until it has played
/// them. Named prompts come from <see cref="AplayAudioPlayerOptions.PromptFolder"/>; a name that is not there, or
/// bytes that are not WAV, are <see cref="CompletionCode.InvalidData"/> and start no process.
/// </summary>
public sealed class AplayAudioPlayer : DeviceBase, IAudioPlayer
{
    /// <summary>What the external health check plays: 100 ms of silence, inaudible but through the whole path.</summary>
    private static readonly AudioSamples HealthCheckSilence = new(new float[1600], 16000, 1);

    private readonly AplayAudioPlayerOptions _options;
    private volatile bool _open;

    public AplayAudioPlayer(string name, AplayAudioPlayerOptions options, TimeProvider timeProvider)
        : base(name, DeviceClass.AudioPlayer, timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { } error)
        {
            throw new ArgumentException(error, nameof(options));
        }

        _options = options;
        Capabilities = new DeviceCapabilities
        {
            Model = $"ALSA playback {options.Device} via {Path.GetFileName(options.Command)}",
            Features = ["wav", "prompts"],
        };
    }

    public override DeviceCapabilities Capabilities { get; }

    /// <summary>Checks that the playback program is installed; whether the card is there shows on the first prompt.</summary>
    public override Task<DeviceResult<Done>> OpenAsync(CancellationToken cancellationToken)
    {
        var opened = CommandLocator.OpenProgram(_options.Command, SetStatus);
        _open = opened.IsSuccess;
        return Task.FromResult(opened);
    }

    public Task<DeviceResult<Done>> PlayAsync(DeviceClaim claim, AudioPrompt prompt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        return RunClaimedAsync(claim, prompt.Timeout, ct => PlayCoreAsync(prompt, ct), cancellationToken);
    }

    /// <summary>Internal: opened. External and interactive: 100 ms of silence plays through the device.</summary>
    protected override Task<DeviceResult<Done>> CheckHealthCoreAsync(HealthCheckLevel level, CancellationToken cancellationToken)
    {
        if (!_open)
        {
            return Task.FromResult(DeviceResult<Done>.Failure(CompletionCode.DeviceNotReady, $"{Name} is not open"));
        }

        return level == HealthCheckLevel.Internal
            ? Task.FromResult(DeviceResult<Done>.Success(default))
            : PipeAsync("health check", WavFile.WritePcm16(HealthCheckSilence), cancellationToken);
    }

    private async Task<DeviceResult<Done>> PlayCoreAsync(AudioPrompt prompt, CancellationToken cancellationToken)
    {
        if (!_open)
        {
            return DeviceResult<Done>.Failure(CompletionCode.DeviceNotReady, $"{Name} is not open");
        }

        var wav = prompt.Wav;
        if (wav.IsEmpty)
        {
            var path = PromptPath(prompt.Name);
            if (path is null || !File.Exists(path))
            {
                return DeviceResult<Done>.Failure(CompletionCode.InvalidData, $"no prompt '{prompt.Name}' in {_options.PromptFolder}", "promptNotFound");
            }

            wav = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }

        if (!WavFile.TryRead(wav, out _, out var error))
        {
            return DeviceResult<Done>.Failure(CompletionCode.InvalidData, $"prompt '{prompt.Name}' is not WAV: {error}", "notWav");
        }

        return await PipeAsync(prompt.Name, wav, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The prompt's file, or null for a name that would leave the prompt folder.</summary>
    private string? PromptPath(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name.Contains("..", StringComparison.Ordinal))
        {
            return null;
        }

        return Path.Combine(_options.PromptFolder, name.EndsWith(".wav", StringComparison.OrdinalIgnoreCase) ? name : name + ".wav");
    }

    private async Task<DeviceResult<Done>> PipeAsync(string what, ReadOnlyMemory<byte> wav, CancellationToken cancellationToken)
    {
        using var child = ChildProcess.TryStart(_options.Command, _options.EffectiveArguments, writeInput: true, out var startError);
        if (child is null)
        {
            SetStatus(DeviceStatus.NoDevice, startError);
            return DeviceResult<Done>.Failure(CompletionCode.DeviceNotReady, $"{Name}: {startError}", "notInstalled");
        }

        await using (cancellationToken.Register(child.Kill).ConfigureAwait(false))
        {
            try
            {
                await child.Input.WriteAsync(wav, cancellationToken).ConfigureAwait(false);
                await child.Input.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException)
            {
                // Broken pipe: the player quit before reading everything; its exit code and stderr say why.
            }
            finally
            {
                try
                {
                    child.Input.Close();
                }
                catch (IOException)
                {
                    // Same broken pipe, on the final flush.
                }
            }

            var (exitCode, standardError) = await child.WaitForExitAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            return Conclude(what, exitCode, standardError);
        }
    }

    private DeviceResult<Done> Conclude(string what, int exitCode, string standardError)
    {
        if (exitCode == 0)
        {
            SetStatus(DeviceStatus.Online, $"played {what}");
            return DeviceResult<Done>.Success(default);
        }

        var reason = AlsaErrors.LastLine(standardError);
        if (AlsaErrors.IsDeviceMissing(standardError))
        {
            var description = $"{Name}: no playback device: {reason}";
            SetStatus(DeviceStatus.NoDevice, description);
            return DeviceResult<Done>.Failure(CompletionCode.DeviceNotReady, description, $"exit {exitCode}");
        }

        var failure = $"{Name}: playing {what} failed (exit {exitCode}): {reason}";
        SetStatus(DeviceStatus.HardwareError, failure);
        return DeviceResult<Done>.Failure(CompletionCode.HardwareError, failure, $"exit {exitCode}");
    }
}
