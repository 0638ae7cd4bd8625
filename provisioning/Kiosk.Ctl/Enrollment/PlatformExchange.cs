using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Kiosk.Ctl.Enrollment;

/// <summary>How a request to the platform ended.</summary>
internal enum ExchangeStatus
{
    /// <summary>The platform answered on the reply topic with our correlation data.</summary>
    Answered,

    /// <summary>No MQTT session: DNS, TCP, TLS or the broker's CONNACK failed.</summary>
    Unreachable,

    /// <summary>The broker refused the subscription or the publish (its ACL).</summary>
    NotAuthorized,

    /// <summary>The request went out but no answer came in time.</summary>
    NoAnswer,
}

/// <summary>The outcome of one request: the answer and when it was sent and received (kiosk clock), or why there is none.</summary>
internal sealed record ExchangeResult(ExchangeStatus Status, string Detail, byte[]? Payload = null, DateTimeOffset SentAt = default, TimeSpan RoundTrip = default)
{
    /// <summary>The kiosk time halfway between sending and receiving: the best estimate of when the platform read its clock.</summary>
    public DateTimeOffset Midpoint => SentAt + (RoundTrip / 2);
}

/// <summary>Where and how to reach the broker: TLS that trusts only the given CA certificates for the broker, and optionally our client certificate.</summary>
internal sealed record PlatformEndpoint(string Host, int Port, X509Certificate2Collection TrustedCas, string? TargetHost = null, X509Certificate2? ClientCertificate = null);

/// <summary>
/// One MQTT 5 request/response with the platform (docs/mqtt-contract.md, "Provisioning"): a fresh clean session,
/// a subscription to a reply topic of our own, the request with ResponseTopic and random CorrelationData, and the
/// first answer that carries that correlation data.
/// </summary>
internal static class PlatformExchange
{
    public static async Task<ExchangeResult> SendAsync(PlatformEndpoint endpoint, string requestTopic, string replyTopic, byte[] payload, TimeSpan timeout, CancellationToken cancellationToken)
    {
        string? tlsProblem = null;
        var targetHost = string.IsNullOrEmpty(endpoint.TargetHost) ? endpoint.Host : endpoint.TargetHost;
        var tls = new MqttClientTlsOptionsBuilder()
            .UseTls()
            .WithTargetHost(targetHost)
            .WithCertificateValidationHandler(e =>
            {
                tlsProblem = CertificateProblem(e.Certificate, e.SslPolicyErrors, endpoint.TrustedCas, targetHost);
                return tlsProblem is null;
            });
        if (endpoint.ClientCertificate is not null)
        {
            tls.WithClientCertificates([endpoint.ClientCertificate]);
        }

        var options = new MqttClientOptionsBuilder()
            .WithEndPoint(new DnsEndPoint(endpoint.Host, endpoint.Port))
            .WithTlsOptions(tls.Build())
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId("kioskctl-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)))
            .WithCleanStart(true)
            .WithSessionExpiryInterval(0)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(30))
            .WithTimeout(TimeSpan.FromSeconds(10))
            .Build();

        var correlation = RandomNumberGenerator.GetBytes(16);
        var answer = new TaskCompletionSource<(byte[] Payload, long At)>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            var message = e.ApplicationMessage;
            if (message.Topic == replyTopic && message.CorrelationData is { } data && data.AsSpan().SequenceEqual(correlation))
            {
                answer.TrySetResult((message.Payload.ToArray(), Stopwatch.GetTimestamp()));
            }

            return Task.CompletedTask;
        };

        try
        {
            var connected = await client.ConnectAsync(options, cancellationToken).ConfigureAwait(false);
            if (connected.ResultCode != MqttClientConnectResultCode.Success)
            {
                return new(ExchangeStatus.Unreachable, $"the broker refused the MQTT session: {connected.ResultCode} {connected.ReasonString}");
            }
        }
        catch (Exception ex) when (ex is MqttCommunicationException or AuthenticationException or IOException or System.Net.Sockets.SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var why = tlsProblem ?? Innermost(ex);
            return new(ExchangeStatus.Unreachable, $"cannot open an MQTT session with {endpoint.Host}:{endpoint.Port}: {why}");
        }

        try
        {
            var subscribed = await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(replyTopic, MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancellationToken).ConfigureAwait(false);
            if (subscribed.Items.FirstOrDefault() is { } item && (int)item.ResultCode >= 0x80)
            {
                return new(ExchangeStatus.NotAuthorized, $"the broker refused the subscription to {replyTopic}: {item.ResultCode}");
            }

            var request = new MqttApplicationMessageBuilder()
                .WithTopic(requestTopic)
                .WithPayload(payload)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .WithContentType("application/json")
                .WithResponseTopic(replyTopic)
                .WithCorrelationData(correlation)
                .Build();
            var sentAt = DateTimeOffset.UtcNow;
            var sent = Stopwatch.GetTimestamp();
            var published = await client.PublishAsync(request, cancellationToken).ConfigureAwait(false);
            if (!published.IsSuccess)
            {
                return new(ExchangeStatus.NotAuthorized, $"the broker refused the request on {requestTopic}: {published.ReasonCode} {published.ReasonString}".TrimEnd());
            }

            try
            {
                var (reply, at) = await answer.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
                return new(ExchangeStatus.Answered, "answered", reply, sentAt, Stopwatch.GetElapsedTime(sent, at));
            }
            catch (TimeoutException)
            {
                return new(ExchangeStatus.NoAnswer, $"no answer within {timeout.TotalSeconds:0} s");
            }
        }
        catch (MqttCommunicationException ex)
        {
            return new(ExchangeStatus.Unreachable, $"the broker closed the session: {Innermost(ex)}");
        }
        finally
        {
            if (client.IsConnected)
            {
                try
                {
                    await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), CancellationToken.None).ConfigureAwait(false);
                }
                catch (MqttCommunicationException)
                {
                    // The broker went away first: nothing left to close.
                }
            }
        }
    }

    /// <summary>All certificates of a PEM file (a CA bundle may hold several).</summary>
    public static X509Certificate2Collection LoadCertificates(string pemFile)
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPemFile(pemFile);
        if (collection.Count == 0)
        {
            throw new CryptographicException($"{pemFile} holds no PEM certificate");
        }

        return collection;
    }

    /// <summary>Why the broker's certificate is not acceptable (not from the trusted CAs, or not for this host), or null.</summary>
    private static string? CertificateProblem(X509Certificate? presented, SslPolicyErrors errors, X509Certificate2Collection trusted, string targetHost)
    {
        if (presented is null)
        {
            return "the broker presented no certificate";
        }

        using var certificate = X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch)
            && !(IPAddress.TryParse(targetHost, out var address) && certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Any(e => e.EnumerateIPAddresses().Contains(address))))
        {
            return $"the broker's certificate '{certificate.Subject}' is not issued for {targetHost}";
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trusted);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate)
            ? null
            : $"the broker's certificate '{certificate.Subject}' issued by '{certificate.Issuer}' does not chain to the CA file ({string.Join(", ", chain.ChainStatus.Select(s => s.Status))})";
    }

    private static string Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }

        return ex.Message;
    }
}
