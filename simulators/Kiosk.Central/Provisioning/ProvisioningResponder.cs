using System.Text.Json;
using System.Text.Json.Nodes;
using Kiosk.Central.Connection;
using Kiosk.Central.Messages;

namespace Kiosk.Central.Provisioning;

/// <summary>
/// Answers the provisioning requests (docs/mqtt-contract.md, "Provisioning"): enrollment (when the simulator has a
/// CA) and the platform time. Answers go to the request's MQTT 5 response topic with its correlation data, and only
/// when that topic is in the reply namespace of the request; a request without one is logged and dropped.
/// </summary>
internal sealed class ProvisioningResponder(
    EnrollmentAuthority? authority,
    Func<string, byte[], byte[]?, CancellationToken, Task> publishReply,
    Func<DateTimeOffset> platformTime,
    Action<string, string> malformed,
    TextWriter log,
    string? aclFile = null)
{
    /// <summary>Requests above this size are not parsed (a CSR is about 500 bytes).</summary>
    private const int MaxRequestBytes = 64 * 1024;

    public async Task HandleAsync(ReceivedMessage message)
    {
        if (message.Topic == ProvisioningTopics.TimeRequest)
        {
            if (!ProvisioningTopics.IsTimeReply(message.ResponseTopic))
            {
                malformed(message.Topic, $"response topic '{message.ResponseTopic}' is not {ProvisioningTopics.TimeRequest}/reply/{{id}}; not answered");
                return;
            }

            await ReplyAsync(message, new JsonObject { ["platformTime"] = ContractFormats.FormatTime(platformTime()) });
            return;
        }

        if (!ProvisioningTopics.TryParseEnroll(message.Topic, out var siteId, out var kioskId) || authority is null)
        {
            malformed(message.Topic, "not a provisioning request this platform answers");
            return;
        }

        if (!ProvisioningTopics.IsEnrollReply(message.ResponseTopic, siteId, kioskId))
        {
            malformed(message.Topic, $"response topic '{message.ResponseTopic}' is not {ProvisioningTopics.Prefix}{siteId}/{kioskId}/reply/{{id}}; not answered");
            return;
        }

        var outcome = Read(message.Payload, out var token, out var csr) is { } problem
            ? EnrollmentOutcome.Refused(EnrollmentErrors.Malformed, problem)
            : TryEnroll(siteId, kioskId, token, csr);
        if (outcome.CertificatePem is { } certificate)
        {
            log.WriteLine($"central: issued a certificate to {siteId}/{kioskId}");
            if (aclFile is not null)
            {
                try
                {
                    if (BrokerAcl.AddKiosk(aclFile, siteId, kioskId))
                    {
                        log.WriteLine($"central: added {siteId}/{kioskId} to the broker ACL {aclFile}; reload the broker (SIGHUP) so it may connect");
                    }
                }
                catch (IOException ex)
                {
                    log.WriteLine($"central: could not add {siteId}/{kioskId} to the broker ACL {aclFile} ({ex.Message}); add its block by hand");
                }
            }

            await ReplyAsync(message, new JsonObject
            {
                ["certificate"] = certificate,
                ["caChain"] = authority.CaChainPem,
                ["commandSigningKey"] = authority.CommandSigningKeyPem,
                ["platformTime"] = ContractFormats.FormatTime(platformTime()),
            });
            return;
        }

        if (outcome.ErrorCode == EnrollmentErrors.Malformed)
        {
            malformed(message.Topic, outcome.Message!);
        }

        log.WriteLine($"central: enrollment of {siteId}/{kioskId} refused: {outcome.ErrorCode}: {outcome.Message}");
        await ReplyAsync(message, new JsonObject
        {
            ["error"] = outcome.ErrorCode,
            ["message"] = outcome.Message,
            ["platformTime"] = ContractFormats.FormatTime(platformTime()),
        });
    }

    private EnrollmentOutcome TryEnroll(string siteId, string kioskId, string token, string csr)
    {
        try
        {
            return authority!.Enroll(siteId, kioskId, token, csr);
        }
#pragma warning disable CA1031 // Whatever failed (the database, the CA key), the kiosk gets an answer instead of a timeout.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            log.WriteLine($"central: enrollment of {siteId}/{kioskId} failed ({ex.GetType().Name}: {ex.Message})");
            return EnrollmentOutcome.Refused(EnrollmentErrors.Internal, "the platform could not process the request; try again, the token is not spent");
        }
    }

    /// <summary>The request's token and CSR, or why it cannot be read.</summary>
    private static string? Read(ReadOnlyMemory<byte> payload, out string token, out string csr)
    {
        token = csr = string.Empty;
        if (payload.Length > MaxRequestBytes)
        {
            return $"the request has {payload.Length} bytes; at most {MaxRequestBytes} are read";
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(payload.Span);
        }
        catch (JsonException ex)
        {
            return $"the request is not JSON ({ex.Message})";
        }

        if (node is not JsonObject request)
        {
            return "the request is not a JSON object";
        }

        if (request["token"] is not JsonValue t || !t.TryGetValue(out string? tokenText) || tokenText.Length == 0)
        {
            return "the request has no string field 'token'";
        }

        if (request["csr"] is not JsonValue c || !c.TryGetValue(out string? csrText) || csrText.Length == 0)
        {
            return "the request has no string field 'csr' (PEM of a PKCS#10 certificate request)";
        }

        token = tokenText;
        csr = csrText;
        return null;
    }

    private Task ReplyAsync(ReceivedMessage request, JsonObject reply) =>
        publishReply(request.ResponseTopic!, JsonSerializer.SerializeToUtf8Bytes(reply), request.CorrelationData, CancellationToken.None);
}
