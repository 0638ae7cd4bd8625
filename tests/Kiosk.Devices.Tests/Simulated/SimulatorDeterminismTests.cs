using Kiosk.Devices.Simulated;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace Kiosk.Devices.Tests.Simulated;

/// <summary>Same seed, same bytes; another seed, other bytes (for everything drawn from the seed).</summary>
[TestFixture]
public sealed class SimulatorDeterminismTests
{
    [Test]
    public async Task Signatures_depend_on_the_seed_only()
    {
        var a = await SignAsync(1);
        var b = await SignAsync(1);
        var c = await SignAsync(2);
        Assert.That(a.Samples, Is.EqualTo(b.Samples));
        Assert.That(a.Rendering!.Data.ToArray(), Is.EqualTo(b.Rendering!.Data.ToArray()));
        Assert.That(a.Samples, Is.Not.EqualTo(c.Samples));
        Assert.That(a.Rendering.Data.ToArray(), Is.Not.EqualTo(c.Rendering!.Data.ToArray()));
    }

    [Test]
    public async Task Fingerprints_depend_on_the_seed_only()
    {
        var a = await FingerprintAsync(1);
        var b = await FingerprintAsync(1);
        var c = await FingerprintAsync(2);
        Assert.That(a.Image.Data.ToArray(), Is.EqualTo(b.Image.Data.ToArray()));
        Assert.That(a.MinutiaeRecord.ToArray(), Is.EqualTo(b.MinutiaeRecord.ToArray()));
        Assert.That(a.Image.Data.ToArray(), Is.Not.EqualTo(c.Image.Data.ToArray()));
        Assert.That(a.MinutiaeRecord.ToArray(), Is.Not.EqualTo(c.MinutiaeRecord.ToArray()));
    }

    [Test]
    public async Task Face_quality_depends_on_the_seed_only()
    {
        var a = await FaceAsync(1);
        var b = await FaceAsync(1);
        var c = await FaceAsync(2);
        Assert.That(a.Quality, Is.EqualTo(b.Quality));
        Assert.That(a.Image.Data.ToArray(), Is.EqualTo(b.Image.Data.ToArray()));
        Assert.That(a.Quality, Is.Not.EqualTo(c.Quality));
    }

    [Test]
    public void Serial_numbers_and_climate_depend_on_the_seed_only()
    {
        var time = new FakeTimeProvider();
        Assert.That(
            new SimulatedSensors("s", Simulation.Options(1), time).Capabilities.SerialNumber,
            Is.EqualTo(new SimulatedSensors("s", Simulation.Options(1), time).Capabilities.SerialNumber)
                .And.Not.EqualTo(new SimulatedSensors("s", Simulation.Options(2), time).Capabilities.SerialNumber));
    }

    private static async Task<T> RunAsync<TDevice, T>(TDevice device, FakeTimeProvider time, Func<TDevice, DeviceClaim, Task<DeviceResult<T>>> operation)
        where TDevice : IDevice
    {
        await using (device)
        {
            Assert.That((await device.OpenAsync(CancellationToken.None)).IsSuccess, Is.True);
            using var claim = (await device.ClaimAsync("test", TimeSpan.FromSeconds(1), CancellationToken.None)).Value!;
            var running = operation(device, claim);
            time.Advance(TimeSpan.FromSeconds(1));
            var result = await running;
            Assert.That(result.Code, Is.EqualTo(CompletionCode.Success), result.ToString());
            return result.Value!;
        }
    }

    private static Task<SignatureCapture> SignAsync(int seed)
    {
        var time = new FakeTimeProvider();
        return RunAsync(new SimulatedSignaturePad("pad", Simulation.Options(seed), time), time, (d, c) => d.CaptureSignatureAsync(c, new SignatureRequest(), CancellationToken.None));
    }

    private static Task<FingerprintCapture> FingerprintAsync(int seed)
    {
        var time = new FakeTimeProvider();
        return RunAsync(new SimulatedFingerprintReader("reader", Simulation.Options(seed), time), time, (d, c) => d.CaptureFingerprintAsync(c, new FingerprintRequest(), CancellationToken.None));
    }

    private static Task<FaceCapture> FaceAsync(int seed)
    {
        var time = new FakeTimeProvider();
        return RunAsync(new SimulatedFaceCamera("camera", Simulation.Options(seed), time), time, (d, c) => d.CaptureFaceAsync(c, new FaceCaptureRequest(), CancellationToken.None));
    }
}
