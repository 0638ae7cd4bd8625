using System.Device.I2c;
using Iot.Device.Sht4x;

namespace Kiosk.Devices.Gpio;

/// <summary>
/// The enclosure's SHT4x temperature and humidity sensor (I2C address 0x44) through the
/// Iot.Device.Bindings driver. The measurement wait (Sensirion SHT4x datasheet, table 4: 8.3 ms at high
/// repeatability; the binding waits 9 ms) runs inside the binding on the real clock: version 4.2.0 does
/// not expose its Begin/End split, so that wait cannot be put on the time provider.
/// </summary>
internal sealed class EnclosureClimate(I2cDevice device) : IDisposable
{
    private readonly Sht4x _sensor = new(device); // sends the soft reset (0x94)

    /// <summary>
    /// One measurement. A value whose CRC-8 (polynomial 0x31, init 0xFF) does not match comes back null;
    /// the binding reports a bus error (no acknowledge) as an IOException, which the caller handles.
    /// </summary>
    public async Task<(double? Celsius, double? Percent)> MeasureAsync(CancellationToken cancellationToken)
    {
        // The binding does not take a token; the caller stops waiting on cancellation and the measurement ends on its own.
        var (humidity, temperature) = await _sensor.ReadHumidityAndTemperatureAsync(Sht4xRepeatability.High).AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
        return (temperature?.DegreesCelsius is { } t ? Math.Round(t, 2) : null, humidity?.Percent is { } h ? Math.Round(h, 2) : null);
    }

    /// <summary>Disposes the I2C device (the binding owns it once constructed).</summary>
    public void Dispose() => _sensor.Dispose();
}
