using Kiosk.Devices;
using Kiosk.Devices.IdCardReader;
using Kiosk.Devices.Tests.Contracts;
using Kiosk.TestSupport;

namespace Kiosk.Drivers.Serial.Tests.IdCardReader;

/// <summary>
/// The HAL ID card reader contract against the real driver on a socat pty, a GA/T 467 stand-in on the other end.
/// Timeouts run on the contract's fake clock (the response timeout is set beyond the operation timeout so only the
/// operation timeout fires); the I/O is real, so <see cref="DriveAsync{T}"/> awaits it with a real-time bound.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class SamIdCardReaderContractTests : IdCardReaderContract<SamIdCardReader>
{
    private SocatPair? _pair;
    private SamStandIn? _sam;

    protected override IdCardData PresentedCard => TestPeople.Card;

    protected override SamIdCardReader CreateDevice(TimeProvider timeProvider)
    {
        _pair ??= SocatPair.Start();
        _sam ??= new SamStandIn(_pair.DevicePath);
        var options = new SamIdCardReaderOptions { PortName = _pair.KioskPath, ResponseTimeout = TimeSpan.FromMinutes(5) };
        return new SamIdCardReader("idCardReader", options, timeProvider);
    }

    [TearDown]
    public async Task StopTheLineAsync()
    {
        await Device.DisposeAsync();
        _sam?.Dispose();
        _pair?.Dispose();
        (_sam, _pair) = (null, null);
    }

    protected override async Task<T> DriveAsync<T>(Task<T> task) => await task.WaitAsync(TimeSpan.FromSeconds(30));

    protected override bool ArrangeUnplugged()
    {
        _pair!.Unplug();
        return true;
    }

    protected override bool ArrangeSlow() => false; // real I/O cannot be slowed on the fake clock

    protected override bool ArrangeTimeout()
    {
        _sam!.Fault = SamFault.Silent;
        return true;
    }

    protected override bool ArrangeGarbage()
    {
        _sam!.Fault = SamFault.BadChecksum;
        return true;
    }

    protected override bool ArrangeHardwareError()
    {
        _sam!.Once(SamFault.SelfTestFailed);
        return true;
    }

    protected override bool ArrangeNoCard()
    {
        _sam!.Fault = SamFault.NoCard;
        return true;
    }

    protected override bool ArrangeWrongCard()
    {
        _sam!.Card = TestPeople.Other;
        return true;
    }
}
