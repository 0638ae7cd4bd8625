using Kiosk.Devices.Tests.Formats;
using NUnit.Framework;

namespace Kiosk.Devices.Tests.Contracts;

/// <summary>The signature pad contract: an ISO/IEC 19794-7 style pen time series, its rendering, and a fingerprint.</summary>
public abstract class SignaturePadContract<TDevice> : DeviceContract<TDevice>
    where TDevice : class, ISignaturePad
{
    protected static readonly SignatureRequest Request = new();

    protected override TimeSpan OperationTimeout => Request.Timeout;

    protected abstract bool ArrangeNoFinger();

    protected override async Task<DeviceResult<Done>> OperateAsync(TDevice device, DeviceClaim claim, CancellationToken cancellationToken) =>
        (await device.CaptureSignatureAsync(claim, Request, cancellationToken)).As<Done>();

    [Test]
    public async Task A_signature_is_a_time_ordered_pen_series_within_the_pad()
    {
        var signature = await SuccessOfAsync(c => Device.CaptureSignatureAsync(c, Request, CancellationToken.None));
        var samples = signature.Samples;
        Assert.That(samples, Has.Count.GreaterThan(10));
        Assert.That(samples[0].T, Is.Zero, "t counts from the first sample");
        for (var i = 1; i < samples.Count; i++)
        {
            Assert.That(samples[i].T, Is.GreaterThan(samples[i - 1].T), $"t of sample {i}");
        }

        Assert.That(signature.MaxPressure, Is.Positive);
        Assert.That(signature.UnitsPerMillimetre, Is.Positive);
        Assert.That(samples, Has.All.Matches<PenSample>(s => s.Pressure >= 0 && s.Pressure <= signature.MaxPressure));
        Assert.That(samples, Has.All.Matches<PenSample>(s => s.X >= 0 && s.X < signature.Width && s.Y >= 0 && s.Y < signature.Height));
        Assert.That(samples.Where(s => s.PenDown), Has.All.Matches<PenSample>(s => s.Pressure > 0), "a pen on the pad presses");
        Assert.That(samples[0].PenDown, Is.True, "a signature starts with the pen down");
    }

    [Test]
    public async Task A_signature_has_several_strokes_separated_by_pen_lifts()
    {
        var signature = await SuccessOfAsync(c => Device.CaptureSignatureAsync(c, Request, CancellationToken.None));
        var lifts = 0;
        var touches = 0;
        for (var i = 1; i < signature.Samples.Count; i++)
        {
            lifts += signature.Samples[i - 1].PenDown && !signature.Samples[i].PenDown ? 1 : 0;
            touches += !signature.Samples[i - 1].PenDown && signature.Samples[i].PenDown ? 1 : 0;
        }

        Assert.That(lifts, Is.GreaterThanOrEqualTo(1));
        Assert.That(touches, Is.EqualTo(lifts).Or.EqualTo(lifts - 1), "every lift but a final one is followed by a touch");
        var writing = TimeSpan.FromMilliseconds(signature.Samples[^1].T);
        Assert.That(writing, Is.InRange(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30)));
    }

    [Test]
    public async Task The_pen_reporter_gets_the_signatures_samples_in_order_with_the_pads_extent()
    {
        var pen = new Reported<PenProgress>();
        var signature = await SuccessOfAsync(c => Device.CaptureSignatureAsync(c, Request with { Pen = pen }, CancellationToken.None));

        var reported = pen.Items;
        Assert.That(reported.Select(p => p.Sample), Is.EqualTo(signature.Samples), "every sample once, in order, as the capture holds it");
        Assert.That(reported, Has.All.Matches<PenProgress>(p => p.Width == signature.Width && p.Height == signature.Height && p.MaxPressure == signature.MaxPressure));
    }

    [Test]
    public async Task The_rendering_is_a_valid_image()
    {
        var signature = await SuccessOfAsync(c => Device.CaptureSignatureAsync(c, Request, CancellationToken.None));
        Assert.That(signature.Rendering, Is.Not.Null);
        var rendering = signature.Rendering!;
        Assert.That(rendering.ContentType, Is.EqualTo("image/png"));
        var png = PngFile.Decode(rendering.Data.Span);
        Assert.That((png.Width, png.Height), Is.EqualTo((rendering.Width, rendering.Height)));
    }

    [Test]
    public async Task A_fingerprint_from_the_pad_is_valid()
    {
        var request = new FingerprintRequest { Finger = FingerPosition.RightThumb };
        var capture = await SuccessOfAsync(c => Device.CaptureFingerprintAsync(c, request, CancellationToken.None));
        FingerprintChecks.AssertValid(capture, request.Finger);
    }

    [Test]
    public async Task No_finger_on_the_pad_is_no_media()
    {
        if (!ArrangeNoFinger())
        {
            Assert.Ignore("cannot lift the finger on demand");
        }

        var result = await RunAsync(c => Device.CaptureFingerprintAsync(c, new FingerprintRequest(), CancellationToken.None));
        Assert.That(result.Code, Is.EqualTo(CompletionCode.NoMedia));
    }
}
