using Kiosk.Fleet.Kiosks;
using Kiosk.Fleet.Measuring;

namespace Kiosk.Fleet.Running;

/// <summary>
/// The N kiosks of a run and their commit loops, with the fleet-wide views the scenarios wait on.
/// Thread safety: the queries may be called from any thread while the kiosks run; create, start and stop from one.
/// </summary>
internal sealed class KioskFleet(IReadOnlyList<FleetKiosk> kiosks, TimeProvider time) : IAsyncDisposable
{
    private readonly CancellationTokenSource _commits = new();
    private readonly List<Task> _loops = [];

    public IReadOnlyList<FleetKiosk> Kiosks => kiosks;

    public int Count => kiosks.Count;

    public int Connected => kiosks.Count(k => k.IsConnected);

    public long Committed => kiosks.Sum(k => k.Committed);

    public long Acknowledged => kiosks.Sum(k => k.Status.RecordsAcknowledged);

    /// <summary>Records committed and not yet acknowledged, as the agents see them.</summary>
    public long Backlog => kiosks.Sum(k => (long)k.Pending.Count);

    public long Resent => kiosks.Sum(k => k.Status.RecordsResent);

    public long CommitFailures => kiosks.Sum(k => k.CommitFailures);

    /// <summary>Every kiosk connected and every record committed before <paramref name="timestamp"/> acknowledged.</summary>
    public bool SettledSince(long timestamp) => kiosks.All(k => k.IsConnected && !k.Pending.AnyCommittedBefore(timestamp));

    /// <summary>
    /// Creates the kiosks (each makes its key and opens its two databases: several fsyncs), sixteen at a time since that
    /// is disk latency rather than CPU; a failure disposes those already made.
    /// </summary>
    public static async Task<KioskFleet> CreateAsync(int count, string runFolder, FleetKioskSettings settings, LatencyLog latencies, TextWriter progress)
    {
        var made = new FleetKiosk?[count];
        var done = 0;
        try
        {
            await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 16 }, (i, _) =>
            {
                made[i] = FleetKiosk.Create(i, runFolder, settings, latencies);
                if (Interlocked.Increment(ref done) is var n && n % 250 == 0 && n < count)
                {
                    progress.WriteLine($"fleet: {n} of {count} kiosks created");
                }

                return ValueTask.CompletedTask;
            }).ConfigureAwait(false);
        }
        catch
        {
            foreach (var kiosk in made.OfType<FleetKiosk>())
            {
                await kiosk.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }

        return new KioskFleet([.. made.OfType<FleetKiosk>()], settings.Time);
    }

    public async Task StartAsync(CancellationToken ct)
    {
        foreach (var kiosk in kiosks)
        {
            await kiosk.StartAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Starts every kiosk's commit loop: the first check-in of each at a random point of the first period, so the fleet
    /// commits evenly rather than in waves.
    /// </summary>
    public void StartCommitting(TimeSpan interval, Func<string> phase, Random random, int attachmentBytes)
    {
        var pool = new AttachmentPool(attachmentBytes, random);
        foreach (var kiosk in kiosks)
        {
            var first = TimeSpan.FromTicks((long)(random.NextDouble() * interval.Ticks));
            // Each kiosk draws from its own generator, seeded from the run's: no lock between kiosks, the same run per seed.
            var own = new Random(random.Next());
            _loops.Add(Task.Run(() => kiosk.CommitLoopAsync(first, interval, phase, own, pool, _commits.Token)));
        }
    }

    /// <summary>Ends the commit loops (a commit under way finishes or leaves nothing).</summary>
    public async Task StopCommittingAsync()
    {
        await _commits.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_loops).ConfigureAwait(false);
    }

    /// <summary>Stops every kiosk's sync (bounded per kiosk: a broker that is gone cannot hold the run).</summary>
    public async Task StopAsync()
    {
        await StopCommittingAsync().ConfigureAwait(false);
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30), time);
        await Task.WhenAll(kiosks.Select(k => StopQuietlyAsync(k, bound.Token))).ConfigureAwait(false);
    }

    /// <summary>Reads every kiosk's outbox file (after <see cref="StopAsync"/> and dispose).</summary>
    public IReadOnlyList<OutboxCensus> Census() =>
        [.. kiosks.Select(k => OutboxCensus.Read(k.Identity.SiteId, k.Identity.KioskId, k.OutboxPath))];

    public async ValueTask DisposeAsync()
    {
        foreach (var kiosk in kiosks)
        {
            await kiosk.DisposeAsync().ConfigureAwait(false);
        }

        _commits.Dispose();
    }

    private static async Task StopQuietlyAsync(FleetKiosk kiosk, CancellationToken ct)
    {
        try
        {
            await kiosk.StopAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Out of time: the death message is the Last Will's job; the outbox is whole either way.
        }
    }
}
