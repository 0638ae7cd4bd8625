using NUnit.Framework;

namespace Kiosk.Devices.Tests.Contracts;

/// <summary>The indicators contract: every indicator takes every pattern, and setting one twice is harmless.</summary>
public abstract class IndicatorsContract<TDevice> : DeviceContract<TDevice>
    where TDevice : class, IIndicators
{
    /// <summary>The pattern the indicator shows now, or null when the fixture cannot observe it.</summary>
    protected abstract IndicatorPattern? Observe(Indicator indicator);

    protected override Task<DeviceResult<Done>> OperateAsync(TDevice device, DeviceClaim claim, CancellationToken cancellationToken) =>
        device.SetAsync(claim, Indicator.Ready, IndicatorPattern.On, cancellationToken);

    [Test]
    public async Task Every_indicator_takes_every_pattern([Values] Indicator indicator, [Values] IndicatorPattern pattern)
    {
        for (var i = 0; i < 2; i++)
        {
            var result = await RunAsync(c => Device.SetAsync(c, indicator, pattern, CancellationToken.None));
            Assert.That(result.Code, Is.EqualTo(CompletionCode.Success), result.ToString());
        }

        if (Observe(indicator) is { } observed)
        {
            Assert.That(observed, Is.EqualTo(pattern));
        }
    }
}
