using Kiosk.Devices;
using Kiosk.Devices.Audio;
using Microsoft.Extensions.Time.Testing;

namespace Kiosk.Drivers.Audio.Tests.Playback;

/// <summary>The player through stand-in processes, and aplay itself where no sound card is needed to fail.</summary>
public sealed class AplayAudioPlayerTests
{
    private StandIn _standIn = null!;

    [SetUp]
    public void CreateStandIn()
    {
        _standIn = new StandIn();
        PlayerStandIn.WriteWelcome(_standIn);
    }

    [TearDown]
    public void DeleteStandIn() => _standIn.Dispose();

    [Test]
    public async Task A_named_prompt_reaches_the_player_byte_for_byte()
    {
        var (result, _) = await PlayAsync(PlayerStandIn.Options(_standIn, PlayerStandIn.Keep), new AudioPrompt("welcome"));

        Assert.That(result.Code, Is.EqualTo(CompletionCode.Success), result.ToString());
        Assert.That(File.ReadAllBytes(_standIn.File("received.wav")), Is.EqualTo(File.ReadAllBytes(_standIn.File("welcome.wav"))));
    }

    [Test]
    public async Task Sox_accepts_what_the_player_pipes_as_wav()
    {
        var (result, _) = await PlayAsync(PlayerStandIn.Options(_standIn, "exec sox -t wav - -n stat"), new AudioPrompt("welcome"));
        Assert.That(result.Code, Is.EqualTo(CompletionCode.Success), result.ToString());
    }

    [TestCase("nothing-here")]
    [TestCase("../welcome")]
    [TestCase("")]
    public async Task A_prompt_that_is_not_in_the_folder_is_invalid_data(string name)
    {
        var (result, _) = await PlayAsync(PlayerStandIn.Options(_standIn), new AudioPrompt(name));

        Assert.That(result.Code, Is.EqualTo(CompletionCode.InvalidData), result.ToString());
        Assert.That(result.DeviceError, Is.EqualTo("promptNotFound"));
    }

    [Test]
    public async Task A_player_that_fails_is_a_hardware_error()
    {
        _standIn.Next(PlayerStandIn.HardwareError);
        var (result, status) = await PlayAsync(PlayerStandIn.Options(_standIn), new AudioPrompt("welcome"));

        Assert.That(result.Code, Is.EqualTo(CompletionCode.HardwareError), result.ToString());
        Assert.That(result.Description, Does.Contain("write error"));
        Assert.That(status, Is.EqualTo(DeviceStatus.HardwareError));
    }

    [Test]
    public async Task A_player_that_quits_without_reading_is_a_hardware_error_not_an_exception()
    {
        var (result, _) = await PlayAsync(PlayerStandIn.Options(_standIn, "exit 3"), new AudioPrompt("big") { Wav = BigWav() });
        Assert.That(result.Code, Is.EqualTo(CompletionCode.HardwareError), result.ToString());
        Assert.That(result.DeviceError, Is.EqualTo("exit 3"));
    }

    [Test]
    public async Task Real_aplay_with_an_unknown_pcm_is_not_ready_and_no_device()
    {
        var options = new AplayAudioPlayerOptions { Device = "kiosk_test_no_such_pcm", PromptFolder = _standIn.Folder };
        var (result, status) = await PlayAsync(options, new AudioPrompt("welcome"));

        Assert.That(result.Code, Is.EqualTo(CompletionCode.DeviceNotReady), result.ToString());
        Assert.That(status, Is.EqualTo(DeviceStatus.NoDevice));
    }

    [Test]
    public async Task A_missing_player_command_does_not_open()
    {
        var options = PlayerStandIn.Options(_standIn);
        options.Command = "/nonexistent/aplay";
        await using var player = new AplayAudioPlayer("speaker", options, new FakeTimeProvider());

        var opened = await player.OpenAsync(CancellationToken.None);

        Assert.That(opened.Code, Is.EqualTo(CompletionCode.DeviceNotReady));
        Assert.That(player.Status, Is.EqualTo(DeviceStatus.NoDevice));
    }

    /// <summary>Ten seconds of 16 kHz silence: more than a pipe buffer holds, so writing to a player that quit breaks the pipe.</summary>
    private static byte[] BigWav() => WavFile.WritePcm16(new AudioSamples(new float[160000], 16000, 1));

    private static async Task<(DeviceResult<Done> Result, DeviceStatus Status)> PlayAsync(AplayAudioPlayerOptions options, AudioPrompt prompt)
    {
        await using var player = new AplayAudioPlayer("speaker", options, new FakeTimeProvider());
        var opened = await player.OpenAsync(CancellationToken.None);
        Assert.That(opened.Code, Is.EqualTo(CompletionCode.Success), opened.ToString());
        using var claim = (await player.ClaimAsync("session", TimeSpan.FromSeconds(1), CancellationToken.None)).Value!;
        var result = await player.PlayAsync(claim, prompt, CancellationToken.None).WaitAsync(RealIo.Bound);
        return (result, player.Status);
    }
}
