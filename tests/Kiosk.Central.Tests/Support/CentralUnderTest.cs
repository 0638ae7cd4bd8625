using System.Collections.Concurrent;
using Kiosk.TestSupport;

namespace Kiosk.Central.Tests.Support;

/// <summary>A <see cref="CentralPlatform"/> on a test broker with its own database, and the events it raised.</summary>
internal sealed class CentralUnderTest : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<RecordStoredEventArgs>> _stored = new();

    private CentralUnderTest(CentralPlatform platform, StringWriter log)
    {
        Platform = platform;
        Log = log;
        platform.RecordStored += (_, e) => Waiter(e.RecordId + (e.IsDuplicate ? "#dup" : string.Empty)).TrySetResult(e);
    }

    public CentralPlatform Platform { get; }

    public StringWriter Log { get; }

    public static async Task<CentralUnderTest> StartAsync(MosquittoBroker broker, string databasePath, string clientId, Action<CentralOptions>? configure = null)
    {
        var options = new CentralOptions { BrokerHost = MosquittoBroker.Host, BrokerPort = broker.Port, DatabasePath = databasePath, ClientId = clientId, SigningKeyFile = TestPlatformKey.PrivateKeyFile };
        configure?.Invoke(options);
        var log = new StringWriter();
        var platform = new CentralPlatform(options, TimeProvider.System, log);
        var central = new CentralUnderTest(platform, log);
        using var timeout = new CancellationTokenSource(TestKiosk.Patience);
        await platform.StartAsync(timeout.Token);
        return central;
    }

    public Task<RecordStoredEventArgs> StoredAsync(string recordId) => Waiter(recordId).Task.WaitAsync(TestKiosk.Patience);

    public Task<RecordStoredEventArgs> DuplicateAsync(string recordId) => Waiter(recordId + "#dup").Task.WaitAsync(TestKiosk.Patience);

    public ValueTask DisposeAsync() => Platform.DisposeAsync();

    private TaskCompletionSource<RecordStoredEventArgs> Waiter(string key) =>
        _stored.GetOrAdd(key, _ => new TaskCompletionSource<RecordStoredEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously));
}
