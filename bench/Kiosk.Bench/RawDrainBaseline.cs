using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.Data.Sqlite;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Kiosk.Bench;

/// <summary>
/// The drain's baseline: the same messages a drain puts on the wire (record batches of up to 50 bodies, and for each
/// attachment its record and its 128 KiB chunks), published by plain MQTTnet 5 at QoS 1 with the agent's window, through
/// the same broker, to a plain MQTTnet subscriber that stores every payload in SQLite (WAL, synchronous=FULL), one
/// transaction per group of whatever has arrived. Done when the last payload is committed. No outbox, no sealing, no
/// signing, no verification, no ack back to the publisher: what is left is moving and durably storing the bytes.
/// </summary>
internal static class RawDrainBaseline
{
    private const int BatchRecords = 50;
    private const int ChunkBytes = 128 * 1024;

    public static async Task<TimeSpan> RunAsync(int port, string folder, int records, int attachments)
    {
        var payloads = Messages(records, attachments);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "raw-drain.db");
        await using var subscriber = await ConnectAsync(port, "bench-raw-drain-sub");
        var received = new BlockingCollection<byte[]>();
        subscriber.ApplicationMessageReceivedAsync += e =>
        {
            received.Add(e.ApplicationMessage.Payload.ToArray());
            return Task.CompletedTask;
        };
        await subscriber.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("bench/raw-drain/#", MqttQualityOfServiceLevel.AtLeastOnce).Build());

        var started = Stopwatch.GetTimestamp();
        var writer = Task.Run(() => Store(path, received, payloads.Count));
        await using (var publisher = await ConnectAsync(port, "bench-raw-drain-pub"))
        {
            using var slots = new SemaphoreSlim(BenchSizes.InFlightPublishes, BenchSizes.InFlightPublishes);
            var publishes = new List<Task>(payloads.Count);
            foreach (var payload in payloads)
            {
                await slots.WaitAsync();
                publishes.Add(PublishAsync(publisher, payload, slots));
            }

            await Task.WhenAll(publishes);
        }

        await writer;
        return Stopwatch.GetElapsedTime(started);
    }

    /// <summary>The drain's message sizes in its order: attachment records are spread evenly, as DrainBench commits them.</summary>
    private static List<byte[]> Messages(int records, int attachments)
    {
        var body = System.Text.Encoding.UTF8.GetBytes(Payloads.CheckInBody(0).ToJsonString());
        var messages = new List<byte[]>();
        var plain = 0;
        for (var i = 0; i < records; i++)
        {
            if (DrainBench.CarriesAttachment(i, records, attachments))
            {
                messages.Add(body);
                for (var offset = 0; offset < Payloads.Attachment.Length; offset += ChunkBytes)
                {
                    messages.Add(Payloads.Attachment[offset..Math.Min(Payloads.Attachment.Length, offset + ChunkBytes)]);
                }
            }
            else if (++plain % BatchRecords == 1)
            {
                messages.Add(new byte[body.Length * Math.Min(BatchRecords, records - i)]);
            }
        }

        return messages;
    }

    /// <summary>Group commit of whatever has arrived (at most 256 payloads a transaction), until all have.</summary>
    private static void Store(string path, BlockingCollection<byte[]> received, int expected)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using (var setup = connection.CreateCommand())
        {
            setup.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY, payload BLOB NOT NULL);";
            setup.ExecuteNonQuery();
        }

        var stored = 0;
        while (stored < expected)
        {
            var first = received.Take();
            using var transaction = connection.BeginTransaction();
            using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO messages (payload) VALUES ($p)";
            var parameter = insert.Parameters.Add("$p", SqliteType.Blob);
            var payload = first;
            var group = 0;
            do
            {
                parameter.Value = payload;
                insert.ExecuteNonQuery();
                group++;
            }
            while (group < 256 && received.TryTake(out payload));

            transaction.Commit();
            stored += group;
        }
    }

    private static async Task PublishAsync(Client client, byte[] payload, SemaphoreSlim slots)
    {
        try
        {
            var message = new MqttApplicationMessageBuilder().WithTopic("bench/raw-drain/m").WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
            var result = await client.PublishAsync(message);
            if (!result.IsSuccess)
            {
                throw new InvalidOperationException($"broker refused the baseline publish: {result.ReasonCode}");
            }
        }
        finally
        {
            slots.Release();
        }
    }

    private static async Task<Client> ConnectAsync(int port, string clientId)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(RawMqttPublisher.Options(port, clientId));
        return new Client(client);
    }

    /// <summary>An MQTTnet client that disconnects when disposed.</summary>
    private sealed class Client(IMqttClient inner) : IAsyncDisposable
    {
        public event Func<MqttApplicationMessageReceivedEventArgs, Task> ApplicationMessageReceivedAsync
        {
            add => inner.ApplicationMessageReceivedAsync += value;
            remove => inner.ApplicationMessageReceivedAsync -= value;
        }

        public Task SubscribeAsync(MqttClientSubscribeOptions options) => inner.SubscribeAsync(options);

        public Task<MqttClientPublishResult> PublishAsync(MqttApplicationMessage message) => inner.PublishAsync(message);

        public async ValueTask DisposeAsync()
        {
            if (inner.IsConnected)
            {
                await inner.DisconnectAsync();
            }

            inner.Dispose();
        }
    }
}
