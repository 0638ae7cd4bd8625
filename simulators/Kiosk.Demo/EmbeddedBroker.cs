using System.Net;
using System.Net.Sockets;
using MQTTnet.Server;

namespace Kiosk.Demo;

/// <summary>An MQTTnet broker on a free loopback port, for the single-machine demo only.</summary>
internal sealed class EmbeddedBroker : IAsyncDisposable
{
    private readonly MqttServer _server;

    private EmbeddedBroker(MqttServer server, int port)
    {
        _server = server;
        Port = port;
    }

    public int Port { get; }

    public static async Task<EmbeddedBroker> StartAsync()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var factory = new MqttServerFactory();
        var options = factory.CreateServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .WithDefaultEndpointPort(port)
            .WithPersistentSessions(true)
            .WithMaxPendingMessagesPerClient(100_000)
            .Build();
        var server = factory.CreateMqttServer(options);
        await server.StartAsync().ConfigureAwait(false);
        return new EmbeddedBroker(server, port);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.StopAsync().ConfigureAwait(false);
        _server.Dispose();
    }
}
