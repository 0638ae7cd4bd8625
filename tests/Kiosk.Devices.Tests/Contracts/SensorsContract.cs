using NUnit.Framework;

namespace Kiosk.Devices.Tests.Contracts;

/// <summary>The sensors contract: reads need no claim; a change raises Changed with the new snapshot.</summary>
public abstract class SensorsContract<TDevice> : DeviceContract<TDevice>
    where TDevice : class, ISensors
{
    protected override bool OperationNeedsClaim => false;

    /// <summary>Makes the presence sensor see (or stop seeing) a person.</summary>
    protected abstract bool ArrangePresence(bool detected);

    protected override async Task<DeviceResult<Done>> OperateAsync(TDevice device, DeviceClaim claim, CancellationToken cancellationToken) =>
        (await device.ReadAsync(cancellationToken)).As<Done>();

    [Test]
    public async Task A_read_needs_no_claim_and_gives_plausible_climate()
    {
        var result = await DriveAsync(Device.ReadAsync(CancellationToken.None));
        Assert.That(result.Code, Is.EqualTo(CompletionCode.Success), result.ToString());
        var snapshot = result.Value!;
        if (snapshot.EnclosureTemperatureCelsius is { } t)
        {
            Assert.That(t, Is.InRange(-40.0, 85.0));
        }

        if (snapshot.EnclosureHumidityPercent is { } h)
        {
            Assert.That(h, Is.InRange(0.0, 100.0));
        }
    }

    [Test]
    public async Task A_person_arriving_raises_changed_and_shows_in_the_next_read()
    {
        var changes = new List<SensorSnapshot>();
        Device.Changed += (_, s) => changes.Add(s);
        if (!ArrangePresence(true))
        {
            Assert.Ignore("cannot bring a person on demand");
        }

        Assert.That(changes, Has.Some.Matches<SensorSnapshot>(s => s.PresenceDetected));
        var result = await DriveAsync(Device.ReadAsync(CancellationToken.None));
        Assert.That(result.Value?.PresenceDetected, Is.True);
    }
}
