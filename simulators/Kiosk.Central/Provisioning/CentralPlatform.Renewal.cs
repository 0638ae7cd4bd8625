using System.Text.Json.Nodes;
using Kiosk.Central.Connection;
using Kiosk.Central.Messages;
using Kiosk.Central.Provisioning;

namespace Kiosk.Central;

/// <summary>A certificate renewal the platform answered: the certificate's SHA-256 thumbprint, or the error code and message.</summary>
public sealed record CertificateRenewalView(string SiteId, string KioskId, string RequestId, string? Thumbprint, string? Error, string? Message, string CommandId);

/// <summary>
/// Certificate renewal (docs/mqtt-contract.md, "Certificate renewal"): a kiosk asks on its own <c>csr</c> topic over its
/// mutual-TLS session; the broker's ACL lets only that kiosk's certificate write there, so the topic names who asks.
/// The answer is a signed command, <c>cmd/certificate</c>, sent again at each of the kiosk's births until its result
/// arrives, like every command.
/// </summary>
public sealed partial class CentralPlatform
{
    /// <summary>Raised when the platform has answered a renewal request (issued or refused).</summary>
    public event EventHandler<CertificateRenewalView>? CertificateRenewalAnswered;

    private async Task HandleCertificateRequestAsync(ReceivedMessage message, KioskTopic topic)
    {
        if (_enrollment is null)
        {
            Malformed(message.Topic, "certificate renewal needs a CA (CentralOptions.Provisioning); not answered");
            return;
        }

        if (!CertificateRequestMessage.TryParse(message.Payload.Span, out var request, out var problem))
        {
            // Without a readable requestId there is nothing to answer; the kiosk sends its request again.
            Malformed(message.Topic, problem);
            return;
        }

        EnrollmentOutcome outcome;
        try
        {
            outcome = _enrollment.Renew(topic.SiteId, topic.KioskId, request!.CsrPem);
        }
#pragma warning disable CA1031 // Whatever failed (the CA key), the kiosk gets an answer instead of waiting.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _log.WriteLine($"central: renewal for {topic.KioskKey} failed ({ex.GetType().Name}: {ex.Message})");
            outcome = EnrollmentOutcome.Refused(EnrollmentErrors.Internal, "the platform could not process the request; it is answered when sent again");
        }

        var arguments = new JsonObject { ["requestId"] = request!.RequestId };
        string? thumbprint = null;
        if (outcome.CertificatePem is { } pem)
        {
            arguments["certificate"] = pem;
            using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(pem);
            thumbprint = certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256);
            _log.WriteLine($"central: renewed the certificate of {topic.KioskKey} (request {request.RequestId}): {thumbprint}");
        }
        else
        {
            arguments["error"] = outcome.ErrorCode;
            arguments["message"] = outcome.Message;
            _log.WriteLine($"central: renewal request {request.RequestId} of {topic.KioskKey} refused: {outcome.ErrorCode}: {outcome.Message}");
        }

        var commandId = await SendCommandAsync(topic.SiteId, topic.KioskId, "certificate", arguments, CancellationToken.None);
        CertificateRenewalAnswered?.Invoke(this, new CertificateRenewalView(topic.SiteId, topic.KioskId, request.RequestId, thumbprint, outcome.ErrorCode, outcome.Message, commandId));
    }
}
