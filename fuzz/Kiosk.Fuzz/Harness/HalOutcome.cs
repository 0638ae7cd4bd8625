using Kiosk.Devices;

namespace Kiosk.Fuzz.Harness;

/// <summary>
/// What a HAL operation may end with. DeviceBase (drivers/Kiosk.Devices.Abstractions/Common/DeviceBase.cs) turns any
/// exception a driver lets escape into HardwareError with the exception's type name as the device error: a safety net,
/// not a contract. A hostile byte stream that lands there is a parser bug (it should have been InvalidData), so the
/// harness raises it as a crash.
/// </summary>
internal static class HalOutcome
{
    public static DeviceResult<T> Check<T>(DeviceResult<T> result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Code == CompletionCode.HardwareError && result.DeviceError is { } error && error.EndsWith("Exception", StringComparison.Ordinal))
        {
            throw new ContractViolationException($"an exception escaped the driver and was caught by the HAL's safety net: {error}: {result.Description}");
        }

        return result;
    }

    /// <summary>Runs a HAL scenario on the calling thread; the targets' streams complete every read at once.</summary>
    public static void Drive(Func<Task> scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        scenario().GetAwaiter().GetResult();
    }

    /// <summary>
    /// Reads frames until the input ends: a frame a reader rejects (InvalidDataException, which its driver answers by
    /// asking again) is skipped; EndOfStreamException ends the input; any other exception is a crash.
    /// </summary>
    public static void ReadFramesToEnd(Func<Task> readOne)
    {
        ArgumentNullException.ThrowIfNull(readOne);
        Drive(async () =>
        {
            while (true)
            {
                try
                {
                    await readOne();
                }
                catch (InvalidDataException)
                {
                }
                catch (EndOfStreamException)
                {
                    return;
                }
            }
        });
    }
}
