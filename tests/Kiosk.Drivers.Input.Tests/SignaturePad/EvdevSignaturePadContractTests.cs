using Kiosk.Devices;
using Kiosk.Devices.Simulated;
using Kiosk.Devices.SignaturePad;
using Kiosk.Devices.Tests.Contracts;

namespace Kiosk.Drivers.Input.Tests.SignaturePad;

/// <summary>
/// The signature pad contract against <see cref="EvdevSignaturePad"/> over a recorded event stream in
/// which someone signs every 8 s; faults change what the recording holds from the next refill on.
/// Fingerprints go to a simulated reader, as they would to the pad's real fingerprint function.
/// </summary>
[TestFixture]
public sealed class EvdevSignaturePadContractTests : SignaturePadContract<EvdevSignaturePad>
{
    private enum Script
    {
        Signing,
        PenHeldDown,
        Unplugged,
        Garbage,
        ReadError,
    }

    private Script _script;
    private int _signatures;
    private SimulatedFingerprintReader _fingerprints = null!;

    protected override EvdevSignaturePad CreateDevice(TimeProvider timeProvider)
    {
        _script = Script.Signing;
        _fingerprints = new SimulatedFingerprintReader("padFingerprint", new SimulationOptions(), timeProvider);
        Assert.That(_fingerprints.OpenAsync(CancellationToken.None).Result.IsSuccess, Is.True);
        var stream = new RecordedEventStream(timeProvider, [], Refill);
        return new EvdevSignaturePad("signaturePad", stream, new EvdevSignaturePadOptions(), timeProvider, _fingerprints);
    }

    [TearDown]
    public async Task CloseFingerprintReaderAsync() => await _fingerprints.DisposeAsync();

    protected override bool ArrangeUnplugged() => Arrange(Script.Unplugged);

    protected override bool ArrangeSlow() => false; // a pen digitiser is not slow; it is silent, which is ArrangeTimeout

    protected override bool ArrangeTimeout() => Arrange(Script.PenHeldDown);

    protected override bool ArrangeGarbage() => Arrange(Script.Garbage);

    protected override bool ArrangeHardwareError() => Arrange(Script.ReadError);

    protected override bool ArrangeNoFinger()
    {
        _fingerprints.Faults.Next(SimulatedFault.NoFinger);
        return true;
    }

    private bool Arrange(Script script)
    {
        _script = script;
        return true;
    }

    private IEnumerable<FeedItem> Refill(TimeSpan after)
    {
        var start = after + TimeSpan.FromSeconds(_signatures == 0 ? 0 : 5);
        var recording = new EvdevRecording();
        switch (_script)
        {
            case Script.Signing:
                return recording.Signature(start, strokes: 3, seed: ++_signatures).Items;
            case Script.PenHeldDown:
                return recording.Report(start, 400, 400, 500, touch: true).Report(start + TimeSpan.FromHours(1), 400, 400, 0, touch: false).Items;
            case Script.Unplugged:
                return recording.Report(start, 400, 400, 500, touch: true).EndOfStream(start + TimeSpan.FromMilliseconds(10)).Items;
            case Script.Garbage:
                return recording.Report(start, 400, 400, 500, touch: true).Raw(start, [1, 2, 3, 4, 5]).EndOfStream(start).Items;
            default:
                _script = Script.Signing;
                return recording.Fail(start, new IOException("Input/output error", 5)).Items;
        }
    }
}
