using System.Diagnostics;
using Kiosk.TestSupport;

namespace Kiosk.Agent.Tests.EndToEnd;

/// <summary>
/// The demo switched, by configuration only, from simulated devices to real drivers behind stand-ins:
/// the OpenCV face camera reading a real photograph through VideoCapture (with the OpenCV matcher against the
/// enrolled photo) and the ALSA recorder with sox in place of arecord.
/// </summary>
[NonParallelizable]
public sealed class DemoWithRealDriversTests
{
    [Test]
    public async Task The_demo_completes_check_ins_with_the_OpenCV_camera_and_the_arecord_recorder()
    {
        using var folder = new TempFolder("demo-drivers");
        var data = RepositoryPaths.TestData;
        string[] soxAsArecord = [Path.Combine(data, "speech.wav"), "-t", "raw", "-r", "16000", "-e", "signed", "-b", "16", "-c", "1", "-"];
        var start = new ProcessStartInfo("dotnet",
        [
            Path.Combine(AppContext.BaseDirectory, "kiosk-demo.dll"), "--checkins", "2", "--data", folder.Path, "--test-data", data,
            "--Kiosk:Devices:FaceCamera=OpenCv", $"--Kiosk:Devices:OpenCv:Source={Path.Combine(data, "astronaut.png")}",
            "--Kiosk:Devices:AudioRecorder=Arecord", "--Kiosk:Devices:Arecord:Command=sox",
            .. soxAsArecord.Select((a, i) => $"--Kiosk:Devices:Arecord:Arguments:{i}={a}"),
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var demo = Process.Start(start)!;
        var stdout = demo.StandardOutput.ReadToEndAsync();
        var stderr = demo.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await demo.WaitForExitAsync(timeout.Token);
        var output = await stdout;
        TestContext.Progress.WriteLine(output + await stderr);

        Assert.That(demo.ExitCode, Is.Zero);
        Assert.That(output.TrimEnd().Split('\n')[^1], Is.EqualTo("demo: 2 committed, 2 acknowledged, 0 lost, 0 duplicates"));
        Assert.That(output, Does.Contain("strict idCard+face+fingerprint+reportAnswers+spokenReport"), "the strict visitor's spoken report came through the recorder driver");
    }
}
