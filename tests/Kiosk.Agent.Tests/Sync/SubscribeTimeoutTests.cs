using System.Net;
using Kiosk.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet.Server;

namespace Kiosk.Agent.Tests.Sync;

/// <summary>
/// A broker that accepts the connection and then never answers SUBSCRIBE (too busy, or broken). Connected but not
/// subscribed, the agent would hear no ack and no command while it believed itself online. Each such attempt must end
/// at the connect timeout with the half-open connection dropped, never counted as connected, and be followed by another
/// until the broker answers.
/// </summary>
public sealed class SubscribeTimeoutTests
{
    [Test]
    public async Task A_subscribe_the_broker_does_not_answer_is_dropped_at_the_timeout_and_retried_until_it_answers()
    {
        using var folder = new TempFolder("subscribe-timeout");
        var port = FreePort.Next();
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var connections = 0;
        var disconnections = 0;
        using var server = new MqttServerFactory().CreateMqttServer(new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .WithDefaultEndpointPort(port)
            .Build());
        server.ClientConnectedAsync += _ =>
        {
            Interlocked.Increment(ref connections);
            return Task.CompletedTask;
        };
        server.ClientDisconnectedAsync += _ =>
        {
            Interlocked.Increment(ref disconnections);
            return Task.CompletedTask;
        };
        // Holding the interceptor holds the SUBACK: the server answers this client's SUBSCRIBE only once it returns.
        server.InterceptingSubscriptionAsync += _ => answer.Task;
        await server.StartAsync();
        try
        {
            await using var agent = new TestAgent(port, folder.File("agent"), new Dictionary<string, string?>
            {
                ["Kiosk:Sync:ConnectTimeout"] = "00:00:01",
                // Far beyond the test's bound: a missed keep-alive must not be what ends an attempt, only the connect timeout.
                ["Kiosk:Sync:KeepAlive"] = "00:10:00",
                ["Kiosk:Sync:ReconnectBaseDelay"] = "00:00:00.100",
                ["Kiosk:Sync:ReconnectMaxDelay"] = "00:00:00.500",
            });
            await agent.StartAsync();

            await Eventually.TrueAsync(() => Volatile.Read(ref connections) >= 3 && Volatile.Read(ref disconnections) >= 2, "three connections, the earlier ones dropped after their unanswered subscribe", TimeSpan.FromMinutes(2));
            Assert.That(agent.Status.LastConnectedAt, Is.Null, "a connection without its subscriptions is not counted as connected");
            var connection = agent.Services.GetRequiredService<Kiosk.Agent.Sync.MqttConnection>();
            Assert.That(connection.LastConnectError, Is.Not.Null, "the failed attempts are reported (kioskctl status shows it)");

            answer.TrySetResult();
            await Eventually.TrueAsync(() => agent.Status.LastConnectedAt is not null, "connected once the broker answers the subscribe");
        }
        finally
        {
            answer.TrySetResult();
            await server.StopAsync();
        }
    }
}
