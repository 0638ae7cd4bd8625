using Kiosk.Devices.FingerprintReader;
using Kiosk.Devices.Tests.Contracts;
using Kiosk.TestSupport;

namespace Kiosk.Drivers.Serial.Tests.FingerprintReader;

/// <summary>The HAL fingerprint reader contract against the real driver on a socat pty (see the SAM fixture for the clock).</summary>
[TestFixture]
[NonParallelizable]
public sealed class R30xFingerprintReaderContractTests : FingerprintReaderContract<R30xFingerprintReader>
{
    private SocatPair? _pair;
    private R30xStandIn? _module;

    protected override R30xFingerprintReader CreateDevice(TimeProvider timeProvider)
    {
        _pair ??= SocatPair.Start();
        _module ??= new R30xStandIn(_pair.DevicePath);
        var options = new R30xFingerprintReaderOptions { PortName = _pair.KioskPath, ResponseTimeout = TimeSpan.FromMinutes(5) };
        return new R30xFingerprintReader("fingerprintReader", options, timeProvider);
    }

    [TearDown]
    public async Task StopTheLineAsync()
    {
        await Device.DisposeAsync();
        _module?.Dispose();
        _pair?.Dispose();
        (_module, _pair) = (null, null);
    }

    protected override async Task<T> DriveAsync<T>(Task<T> task) => await task.WaitAsync(TimeSpan.FromSeconds(30));

    protected override bool ArrangeUnplugged()
    {
        _pair!.Unplug();
        return true;
    }

    protected override bool ArrangeSlow() => false;

    protected override bool ArrangeTimeout() => Arrange(R30xFault.Silent);

    protected override bool ArrangeGarbage() => Arrange(R30xFault.BadChecksum);

    protected override bool ArrangeHardwareError() => Arrange(R30xFault.EnrollFailedOnce);

    protected override bool ArrangeNoFinger() => Arrange(R30xFault.NoFinger);

    private bool Arrange(R30xFault fault)
    {
        _module!.Fault = fault;
        return true;
    }
}
