using Kiosk.Central.Storage;
using Kiosk.Fleet.Measuring;
using Npgsql;

namespace Kiosk.Fleet.Platform;

/// <summary>
/// The platform as a province would run it: K <c>kiosk-central</c> processes, each with its own client id, reading the
/// kiosks' topics through one MQTT 5 shared subscription group (so the broker splits the traffic between them) and
/// storing in one PostgreSQL cluster (Kiosk.Central's <see cref="LocalPostgres"/>), which keeps each record once
/// whichever instance stored it.
/// </summary>
internal sealed class SharedPlatform(int instances, string folder, int brokerPort, string signingKeyFile, TextWriter log) : IFleetPlatform
{
    /// <summary>The shared subscription group of the fleet's platform instances.</summary>
    public const string Group = "fleet";

    private readonly PlatformProcess?[] _processes = new PlatformProcess?[instances];
    private readonly bool[] _killed = new bool[instances];
    private readonly List<PlatformProcess> _finished = [];
    private LocalPostgres? _postgres;

    public string Description => $"{instances} kiosk-central processes in $share/{Group}, one PostgreSQL store";

    public int Instances => instances;

    public string? KillUnavailable => instances < 2 ? "one platform instance: killing it leaves none to carry on (--instances 2 or more)" : null;

    public string Progress
    {
        get
        {
            var all = _processes.OfType<PlatformProcess>().Concat(_finished).ToList();
            return $"running={_processes.Count(p => p is { IsRunning: true })}/{instances} stored={all.Sum(p => p.Stored)} duplicates={all.Sum(p => p.Duplicates)}";
        }
    }

    /// <summary>CPU seconds of every platform process so far.</summary>
    public double? CpuSeconds => _processes.OfType<PlatformProcess>().Concat(_finished).Sum(p => p.CpuSeconds);

    /// <summary>kiosk-central, copied next to this program by its project reference.</summary>
    private static string CentralDll => Path.Combine(AppContext.BaseDirectory, "kiosk-central.dll");

    public async Task StartAsync(CancellationToken ct)
    {
        _postgres ??= await LocalPostgres.StartAsync(Path.Combine(folder, "postgres"), log, ct).ConfigureAwait(false);
        // One at a time: instances creating the tables together can still collide in PostgreSQL's catalog (the schema
        // lock is released before the batch that holds it commits), and a start is only a second or two.
        for (var i = 0; i < instances; i++)
        {
            if (!_killed[i] && _processes[i] is not { IsRunning: true })
            {
                await StartOneAsync(i, ct).ConfigureAwait(false);
            }
        }
    }

    public async Task StopAsync(CancellationToken ct)
    {
        await Task.WhenAll(_processes.OfType<PlatformProcess>().Select(p => p.StopAsync())).ConfigureAwait(false);
        Retire();
    }

    public async Task KillOneAsync(CancellationToken ct)
    {
        var index = Array.FindIndex(_processes, p => p is { IsRunning: true });
        if (index < 0)
        {
            throw new InvalidOperationException("no platform instance is running");
        }

        await _processes[index]!.KillAsync().ConfigureAwait(false);
        _killed[index] = true;
        Retire();
        await EndSessionAsync(ClientId(index), ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Ends the killed instance's broker session, as an operator retiring it would. Its session outlives it (CleanStart=false,
    /// 7 days' expiry), and Mosquitto goes on giving an offline member of a shared subscription group its share of the
    /// messages, which would then wait for it forever (MQTT 5 section 4.8.2 allows either). Connecting once more under its
    /// client id with a clean start and no session expiry drops that session and its queue: what was in flight to it comes
    /// back through the kiosks' ack timeout, and new messages go to the instances still running.
    /// </summary>
    private async Task EndSessionAsync(string clientId, CancellationToken ct)
    {
        using var client = new MQTTnet.MqttClientFactory().CreateMqttClient();
        var options = new MQTTnet.MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", brokerPort)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithClientId(clientId)
            .WithCleanStart(true)
            .WithSessionExpiryInterval(0)
            .Build();
        await client.ConnectAsync(options, ct).ConfigureAwait(false);
        await client.DisconnectAsync(new MQTTnet.MqttClientDisconnectOptions(), ct).ConfigureAwait(false);
        log.WriteLine($"fleet: ended the broker session of the killed instance {clientId}");
    }

    private static string ClientId(int index) => $"fleet-central-{index + 1}";

    public async Task<IReadOnlyList<StoredRow>> ReadStoredAsync(CancellationToken ct)
    {
        if (_postgres is null)
        {
            return [];
        }

        await using var connection = new NpgsqlConnection(_postgres.ConnectionString);
        await connection.OpenAsync(ct).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT site_id, kiosk_id, seq, record_id FROM records", connection);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var rows = new List<StoredRow>();
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            rows.Add(new StoredRow(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3)));
        }

        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        foreach (var process in _finished)
        {
            await process.DisposeAsync().ConfigureAwait(false);
        }

        if (_postgres is not null)
        {
            await _postgres.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task StartOneAsync(int index, CancellationToken ct)
    {
        string[] arguments =
        [
            "--postgres", _postgres!.ConnectionString,
            "--shared-group", Group,
            "--client-id", ClientId(index),
            "--signing-key", signingKeyFile,
            "--broker", $"127.0.0.1:{brokerPort}",
            "--exit-on-stdin-close",
        ];
        _processes[index] = await PlatformProcess.StartAsync(CentralDll, arguments, $"central-{index + 1}", log, ct).ConfigureAwait(false);
    }

    /// <summary>Moves exited processes out of the running slots, keeping their counts.</summary>
    private void Retire()
    {
        for (var i = 0; i < _processes.Length; i++)
        {
            if (_processes[i] is { IsRunning: false } done)
            {
                _finished.Add(done);
                _processes[i] = null;
            }
        }
    }
}
