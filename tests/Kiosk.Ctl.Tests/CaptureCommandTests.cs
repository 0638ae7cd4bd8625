using System.Text.Json.Nodes;
using Kiosk.TestSupport;

namespace Kiosk.Ctl.Tests;

/// <summary>kioskctl capture, run as the technician runs it, on Debian's real photographs.</summary>
public sealed class CaptureCommandTests
{
    private static async Task<(int ExitCode, string Stdout, string Stderr)> KioskCtl(params string[] args)
    {
        var run = await KioskctlProcess.RunAsync(args);
        return (run.ExitCode, run.Stdout, run.Stderr);
    }

    [Test]
    public async Task A_frontal_face_is_found_with_its_box_scores_and_verdict()
    {
        var (exit, stdout, _) = await KioskCtl("capture", "face", "--image", RepositoryPaths.TestDataFile("astronaut.png"), "--json");

        var json = JsonNode.Parse(stdout)!;
        var face = json["faces"]!.AsArray().Single()!;
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero);
            Assert.That(json["verdict"]!.GetValue<string>(), Is.EqualTo("Accepted"));
            Assert.That(face["x"]!.GetValue<int>() + (face["width"]!.GetValue<int>() / 2), Is.InRange(200, 250), "the face centre, as measured on the photograph");
            Assert.That(face["y"]!.GetValue<int>() + (face["height"]!.GetValue<int>() / 2), Is.InRange(90, 140));
            Assert.That(json["score"]!.GetValue<int>(), Is.InRange(50, 100));
            Assert.That(json["reasons"]!.AsArray(), Is.Empty);
            foreach (var measure in new[] { "sharpness", "brightness", "contrast", "eyeDistance", "rollDegrees", "yawDegrees" })
            {
                Assert.That(json[measure], Is.Not.Null, measure);
            }
        });
    }

    [Test]
    public async Task A_photograph_without_a_person_fails_the_check_with_its_reason()
    {
        var (exit, stdout, _) = await KioskCtl("capture", "face", "--image", RepositoryPaths.TestDataFile("coffee.png"), "--json");
        var json = JsonNode.Parse(stdout)!;
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(json["verdict"]!.GetValue<string>(), Is.EqualTo("NoFace"));
        Assert.That(json["reasons"]!.AsArray().Select(r => r!.GetValue<string>()), Does.Contain("no face"));
    }

    [Test]
    public async Task The_document_check_writes_the_corrected_page_and_prints_its_corners()
    {
        using var folder = new TempFolder("ctl");
        var output = folder.File("page.png");
        var (exit, stdout, _) = await KioskCtl("capture", "document", "--image", RepositoryPaths.TestDataFile("page.png"), "--out", output, "--json");

        var json = JsonNode.Parse(stdout)!;
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero);
            Assert.That(json["pageFound"]!.GetValue<bool>(), Is.True);
            Assert.That(json["corners"]!.AsArray(), Has.Count.EqualTo(4));
            Assert.That(File.ReadAllBytes(output).AsSpan(0, 8).ToArray(), Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }), "a PNG");
        });
    }

    [Test]
    public async Task A_missing_image_and_a_bad_argument_are_usage_errors()
    {
        var (missing, _, missingError) = await KioskCtl("capture", "face", "--image", "/nonexistent.png");
        var (bad, _, badError) = await KioskCtl("capture", "face", "--imag", "x");
        Assert.That(missing, Is.EqualTo(2));
        Assert.That(missingError, Does.Contain("/nonexistent.png does not exist"));
        Assert.That(bad, Is.EqualTo(2));
        Assert.That(badError, Does.Contain("--imag"));
    }

    [Test]
    public async Task Help_documents_the_exit_codes()
    {
        var (exit, stdout, _) = await KioskCtl("--help");
        Assert.That(exit, Is.Zero);
        Assert.That(stdout, Does.Contain("Exit codes: 0 ok; 1 the check failed"));
    }

    [Test]
    public async Task A_camera_that_cannot_be_opened_is_an_io_error()
    {
        var (exit, _, stderr) = await KioskCtl("capture", "face", "--source", "/nonexistent/video%03d.png");
        Assert.That(exit, Is.EqualTo(3));
        Assert.That(stderr, Does.Contain("camera '/nonexistent/video%03d.png'"));
    }
}
