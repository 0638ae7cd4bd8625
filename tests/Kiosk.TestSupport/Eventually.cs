using NUnit.Framework;

namespace Kiosk.TestSupport;

/// <summary>
/// Waits for a condition, never for a time: checks it every few milliseconds and returns as soon as it holds. The bound
/// only keeps a broken system from hanging the run; on a loaded machine the condition simply takes longer to come true.
/// </summary>
public static class Eventually
{
    /// <summary>How long a condition may take before the test fails (a bound for broken systems, not a wait).</summary>
    public static readonly TimeSpan DefaultBound = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    public static Task TrueAsync(Func<bool> condition, string what = "the condition", TimeSpan? bound = null) =>
        TrueAsync(() => Task.FromResult(condition()), what, bound);

    public static async Task TrueAsync(Func<Task<bool>> condition, string what = "the condition", TimeSpan? bound = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = TimeProvider.System.GetTimestamp();
        var limit = bound ?? DefaultBound;
        while (!await condition().ConfigureAwait(false))
        {
            if (TimeProvider.System.GetElapsedTime(deadline) > limit)
            {
                Assert.Fail($"still not true after {limit.TotalSeconds:0} s: {what}");
            }

            await Task.Delay(Poll).ConfigureAwait(false);
        }
    }
}
