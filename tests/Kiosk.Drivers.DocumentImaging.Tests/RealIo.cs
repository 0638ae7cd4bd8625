using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace Kiosk.Drivers.DocumentImaging.Tests;

/// <summary>
/// Drives an operation whose work happens on real I/O (a decoder thread, a scanimage process, an HTTP socket)
/// while the device's timeouts and waits run on the contract's <see cref="FakeTimeProvider"/>: the fake clock
/// follows the wall clock, five times faster, until the operation ends. The wait is on the task itself,
/// so a fast operation returns at once; only real I/O is waited for.
/// </summary>
internal static class RealIo
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan FakeStep = TimeSpan.FromMilliseconds(50);

    public static async Task<T> DriveAsync<T>(Task<T> task, FakeTimeProvider time, TimeSpan wallBudget)
    {
        var wall = Stopwatch.StartNew();
        while (!task.IsCompleted && wall.Elapsed < wallBudget)
        {
            await Task.WhenAny(task, Task.Delay(Poll));
            if (!task.IsCompleted)
            {
                time.Advance(FakeStep);
            }
        }

        Assert.That(task.IsCompleted, Is.True, $"no answer within {wallBudget} of real time");
        return await task;
    }
}
