using System.Buffers;
using System.Text;
using Kiosk.Agent.Control;
using Kiosk.Devices;
using Kiosk.Devices.FingerprintReader;
using Kiosk.Devices.IdCardReader;
using Kiosk.Devices.SignaturePad;
using Kiosk.Fuzz.Harness;
using Kiosk.TestSupport;

namespace Kiosk.Fuzz.Tests;

/// <summary>
/// The seeds that stand for a device doing its job really get the drivers through it: a fuzzer that starts from seeds
/// the driver already refuses at the first byte explores only the refusals.
/// </summary>
[TestFixture]
public sealed class SeedReachTests
{
    [Test]
    public async Task The_card_read_seed_reads_a_card()
    {
        await using var reader = new SamIdCardReader("seed", new SerialLine(Seed("sam-reader", "card-read.bin")), new SamIdCardReaderOptions(), TimeProvider.System);
        await reader.OpenAsync(CancellationToken.None);
        using var claim = (await reader.ClaimAsync("test", TimeSpan.FromSeconds(5), CancellationToken.None)).Value!;

        var card = await reader.ReadCardAsync(claim, new IdCardReadRequest(), CancellationToken.None);

        Assert.That(card.Code, Is.EqualTo(CompletionCode.Success), card.ToString());
        Assert.That(card.Value!.IdNumber, Is.EqualTo("110101198001020016"));
    }

    [Test]
    public async Task The_full_image_seed_captures_a_fingerprint()
    {
        await using var reader = new R30xFingerprintReader("seed", new SerialLine(Seed("r30x-capture", "full-image.bin")), new R30xFingerprintReaderOptions(), TimeProvider.System);
        await reader.OpenAsync(CancellationToken.None);
        using var claim = (await reader.ClaimAsync("test", TimeSpan.FromSeconds(5), CancellationToken.None)).Value!;

        var print = await reader.CaptureFingerprintAsync(claim, new FingerprintRequest(), CancellationToken.None);

        Assert.That(print.Code, Is.EqualTo(CompletionCode.Success), print.ToString());
        Assert.That((print.Value!.Image.Width, print.Value.Image.Height), Is.EqualTo((256, 288)));
    }

    [Test]
    public async Task The_stroke_seed_makes_a_signature()
    {
        await using var pad = new EvdevSignaturePad("seed", new MemoryStream(Seed("evdev-signature", "one-stroke.bin")), new EvdevSignaturePadOptions(), TimeProvider.System);
        await pad.OpenAsync(CancellationToken.None);
        using var claim = (await pad.ClaimAsync("test", TimeSpan.FromSeconds(5), CancellationToken.None)).Value!;

        var signature = await pad.CaptureSignatureAsync(claim, new SignatureRequest(), CancellationToken.None);

        Assert.That(signature.Code, Is.EqualTo(CompletionCode.Success), signature.ToString());
        Assert.That(signature.Value!.Samples.Count(s => s.PenDown), Is.GreaterThanOrEqualTo(6));
    }

    [Test]
    public async Task The_two_sides_seed_scans_two_pages()
    {
        var options = new Devices.DocumentImaging.EsclScannerOptions { BaseUri = new Uri("http://scanner.local/eSCL") };
        await using var scanner = new Devices.DocumentImaging.EsclScanner("seed", options, TimeProvider.System, new ScannerAnswers(Seed("escl-scan", "two-sides.bin")));
        await scanner.OpenAsync(CancellationToken.None);
        using var claim = (await scanner.ClaimAsync("test", TimeSpan.FromSeconds(5), CancellationToken.None)).Value!;

        var batch = await scanner.ScanAsync(claim, new ScanRequest { MaxSheets = 2 }, CancellationToken.None);

        Assert.That(batch.Code, Is.EqualTo(CompletionCode.Success), batch.ToString());
        Assert.That(batch.Value!.Pages, Has.Count.EqualTo(2));
    }

    [Test]
    public void The_hal_oracle_calls_an_exception_caught_by_the_safety_net_a_crash_and_a_refusal_not()
    {
        var caught = DeviceResult<Done>.Failure(CompletionCode.HardwareError, "Index was outside the bounds of the array.", nameof(IndexOutOfRangeException));
        var refused = DeviceResult<Done>.Failure(CompletionCode.InvalidData, "SAM frame checksum 00, expected 12", "SW 00 00 90");

        Assert.That(() => HalOutcome.Check(caught), Throws.TypeOf<ContractViolationException>());
        Assert.That(HalOutcome.Check(refused), Is.SameAs(refused));
    }

    [Test]
    public void An_overflowing_chunk_offset_is_a_refusal_and_a_broken_status_a_documented_rejection()
    {
        var target = FuzzTargets.Find("chunk-header")!;
        var overflowing = Encoding.UTF8.GetBytes($"1\nindex=0\ncount=1\noffset={long.MaxValue}\nlength=10\nsha256={new string('a', 64)}\nchunkSha256={new string('a', 64)}");

        // The target's oracle throws when a header is accepted outside its attachment, as this one was before the fix.
        Assert.DoesNotThrow(() => target.Run(overflowing));
        Assert.That(() => FuzzTargets.Find("escl-status")!.Run("<a"u8.ToArray()), Throws.Nothing, "InvalidDataException is the documented refusal");
    }

    [Test]
    public void The_signed_message_seeds_are_committed_and_still_get_their_refusals()
    {
        foreach (var (target, name, _, expected) in Seeds.ControlSeeds.Signed())
        {
            var path = Path.Combine(RepositoryPaths.Root, "fuzz", "corpus", target, name);
            Assert.That(File.Exists(path), Is.True, $"fuzz/corpus/{target}/{name} is not committed; write it with: dotnet Kiosk.Fuzz.dll seeds fuzz/corpus");
            var input = File.ReadAllBytes(path);
            var newline = Array.IndexOf(input, (byte)'\n');

            var refusal = FuzzPlatform.Verifier.Verify(Encoding.UTF8.GetString(input, 0, newline), new ReadOnlySequence<byte>(input, newline + 1, input.Length - newline - 1), int.MaxValue, out var message, out var detail);

            Assert.That(refusal, Is.EqualTo(expected), $"fuzz/corpus/{target}/{name}: {detail} (signed with another key or header? delete it and write the seeds again)");
            Assert.That(message is null, Is.EqualTo(expected is not (Refusal.None or Refusal.Expired or Refusal.Future)));
        }
    }

    [Test]
    public void The_signed_ack_and_header_seeds_reach_past_the_signature()
    {
        Assert.DoesNotThrow(() => FuzzTargets.Find("signed-ack")!.Run(Seed("signed-ack", "records-and-time.json")), "the oracle throws when a validly signed ack is refused");
        var header = Seed("signed-platform-message", "ack.txt");
        var lines = Encoding.UTF8.GetString(header).Split('\n', 3);
        var envelope = Targets.SignedMessageContract.Envelope(Encoding.UTF8.GetBytes(lines[1]), Encoding.UTF8.GetBytes(lines[2]));
        Assert.That(FuzzPlatform.Verifier.Verify(lines[0], new ReadOnlySequence<byte>(envelope), int.MaxValue, out _, out var detail), Is.EqualTo(Refusal.None), detail);
    }

    private static byte[] Seed(string target, string name) => File.ReadAllBytes(Path.Combine(RepositoryPaths.Root, "fuzz", "corpus", target, name));
}
