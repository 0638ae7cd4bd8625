namespace Kiosk.Devices.Audio;

/// <summary>Turns captured mono audio and what the detector heard into the HAL's clip: trimmed, at the requested rate, as WAV.</summary>
internal static class SpeechClip
{
    public static DeviceResult<AudioClip> From(AudioSamples captured, VoiceActivity activity, TimeSpan margin, int sampleRate)
    {
        if (!activity.HasSpeech)
        {
            return DeviceResult<AudioClip>.Failure(CompletionCode.NoMedia, $"no speech heard in {captured.Duration.TotalSeconds:0.#} s");
        }

        var trimmed = AudioResampler.Resample(SilenceTrimmer.Trim(captured, activity, margin), sampleRate);
        var wav = WavFile.WritePcm16(trimmed);
        return DeviceResult<AudioClip>.Success(new AudioClip(wav, trimmed.SampleRate, trimmed.Channels, trimmed.Duration, activity.Speech));
    }
}
