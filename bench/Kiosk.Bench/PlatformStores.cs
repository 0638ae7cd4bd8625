using System.Diagnostics;
using Kiosk.Central;

namespace Kiosk.Bench;

/// <summary>When the platform of a testbed stored its last first copy: with the agent's last ack, it tells whose side the time went to.</summary>
internal sealed class PlatformStores : IDisposable
{
    private readonly CentralPlatform _central;
    private long _lastStoredAt;

    public PlatformStores(CentralPlatform central)
    {
        _central = central;
        _central.RecordStored += OnStored;
    }

    /// <summary>Stopwatch timestamp of the platform's last store of a record it had not stored before.</summary>
    public long LastStoredAt => Interlocked.Read(ref _lastStoredAt);

    private void OnStored(object? sender, RecordStoredEventArgs e)
    {
        if (!e.IsDuplicate)
        {
            Interlocked.Exchange(ref _lastStoredAt, Stopwatch.GetTimestamp());
        }
    }

    public void Dispose() => _central.RecordStored -= OnStored;
}
