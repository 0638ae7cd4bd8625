using Kiosk.Agent.Sync;

namespace Kiosk.Agent.Control.Commands;

/// <summary>
/// <c>cmd/renew-certificate</c>: asks the platform for a new certificate for this kiosk now (a new key made here, its
/// request sent on <c>csr</c>; <see cref="CertificateRenewal"/>). The result comes once the renewal ends: done with the
/// new certificate's thumbprint and expiry, refused when the platform refused the request, failed when the new
/// certificate did not connect (the previous one is back in use).
/// </summary>
internal sealed class RenewCertificateCommand(CertificateRenewal renewal, BrokerSecurity security, TimeProvider time) : ICommandHandler
{
    public string Name => CertificateRenewal.RenewCommand;

    public async Task<CommandResult> RunAsync(CommandRequest request, CancellationToken cancellationToken)
    {
        if (!RenewCertificateArguments.TryParse(request.Message.Payload, out var arguments, out var error))
        {
            return CommandResult.Refused(error);
        }

        if (security.Tls is null)
        {
            return CommandResult.Refused("this kiosk does not use mutual TLS (demo profile): it has no certificate to renew");
        }

        await renewal.RequestAsync(arguments!.Reason is { Length: > 0 } ? "command: " + arguments.Reason : "command", request.CommandId, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return CommandResult.Defer();
    }
}

/// <summary>
/// <c>cmd/certificate</c>: the platform's signed answer to this kiosk's certificate request, a certificate or a refusal
/// (<see cref="CertificateReply"/>). The certificate is checked against the waiting request and swapped in
/// (<see cref="CertificateRenewal.AcceptAsync"/>).
/// </summary>
internal sealed class CertificateCommand(CertificateRenewal renewal) : ICommandHandler
{
    public string Name => "certificate";

    public int MaxMessageBytes => CertificateReply.MaxMessageBytes;

    public Task<CommandResult> RunAsync(CommandRequest request, CancellationToken cancellationToken) =>
        CertificateReply.TryParse(request.Message.Payload, out var reply, out var error)
            ? renewal.AcceptAsync(reply!, cancellationToken)
            : Task.FromResult(CommandResult.Refused(error));
}
