using Kiosk.Central;
using Kiosk.Fleet.Measuring;

namespace Kiosk.Fleet.Platform;

/// <summary>
/// One <see cref="CentralPlatform"/> in this process, storing in its SQLite file. Its client id is fixed, so while it is
/// stopped the broker keeps its persistent session and queues what the kiosks send. One instance cannot be killed
/// and carry on, so the kill scenario is not played against it.
/// </summary>
internal sealed class InProcessPlatform(string folder, int brokerPort, string signingKeyFile, TextWriter log) : IFleetPlatform
{
    private CentralPlatform? _central;

    public string Description => "1 in-process central simulator on SQLite";

    public int Instances => 1;

    /// <summary>Counts since the instance last started (the simulator does not keep them across a restart).</summary>
    public string Progress => _central?.Counts is { } c
        ? $"received={c.RecordsReceived} stored={c.RecordsStored} duplicates={c.DuplicatesDropped} acks_sent={c.AcksSent}"
        : "stopped";

    public string? KillUnavailable => "the in-process platform is one instance; killing it leaves no instance to carry on";

    private string DatabasePath => Path.Combine(folder, "central.db");

    public async Task StartAsync(CancellationToken ct)
    {
        if (_central is not null)
        {
            return;
        }

        Directory.CreateDirectory(folder);
        var central = new CentralPlatform(new CentralOptions
        {
            BrokerHost = "127.0.0.1",
            BrokerPort = brokerPort,
            DatabasePath = DatabasePath,
            ClientId = "fleet-central-1",
            SigningKeyFile = signingKeyFile,
        }, TimeProvider.System, log);
        try
        {
            await central.StartAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            await central.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        _central = central;
    }

    public async Task StopAsync(CancellationToken ct)
    {
        if (_central is { } central)
        {
            _central = null;
            await central.DisposeAsync().ConfigureAwait(false);
        }
    }

    public Task KillOneAsync(CancellationToken ct) => throw new NotSupportedException(KillUnavailable);

    public async Task<IReadOnlyList<StoredRow>> ReadStoredAsync(CancellationToken ct)
    {
        await StartAsync(ct).ConfigureAwait(false);
        var records = await _central!.GetStoredRecordsAsync(ct).ConfigureAwait(false);
        return [.. records.Select(r => new StoredRow(r.SiteId, r.KioskId, r.Seq, r.RecordId))];
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None).ConfigureAwait(false);
}
