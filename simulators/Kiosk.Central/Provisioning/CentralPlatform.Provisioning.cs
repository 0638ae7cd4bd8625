using Kiosk.Central.Connection;
using Kiosk.Central.Provisioning;

namespace Kiosk.Central;

/// <summary>Provisioning (docs/mqtt-contract.md, "Provisioning"): enrollment tokens and certificates, and the platform time.</summary>
public sealed partial class CentralPlatform
{
    private EnrollmentTokenStore? _tokens;
    private EnrollmentAuthority? _enrollment;
    private ProvisioningResponder? _provisioning;

    /// <summary>True when <see cref="CentralOptions.Provisioning"/> is configured, so enrollment requests are answered.</summary>
    public bool ProvisioningEnabled => _enrollment is not null;

    /// <summary>
    /// Issues a one-time enrollment token for <paramref name="siteId"/>/<paramref name="kioskId"/>, valid for
    /// <paramref name="lifetime"/> (from this simulator's clock, without <see cref="CentralOptions.ClockOffset"/>).
    /// Only the token's SHA-256 is stored; the returned string is the only copy.
    /// </summary>
    /// <exception cref="InvalidOperationException">Provisioning is not configured.</exception>
    /// <exception cref="ArgumentException">An id does not match <c>^[A-Za-z0-9_-]{1,64}$</c>.</exception>
    public string IssueEnrollmentToken(string siteId, string kioskId, TimeSpan lifetime) =>
        (_enrollment ?? throw new InvalidOperationException("provisioning is not configured: set CentralOptions.Provisioning (CA certificate, CA key, command-signing key)"))
            .IssueToken(siteId, kioskId, lifetime);

    private void CreateProvisioning(CentralOptions options)
    {
        if (options.Provisioning.Enabled)
        {
            _tokens = new EnrollmentTokenStore(options.DatabasePath);
            _enrollment = new EnrollmentAuthority(options.Provisioning, _tokens, _time);
        }

        var offset = options.ClockOffset;
        _provisioning = new ProvisioningResponder(_enrollment, _connection.PublishReplyAsync, () => _time.GetUtcNow() + offset, Malformed, _log, options.Provisioning.AclFile);
    }

    private Task HandleProvisioningAsync(ReceivedMessage message) => _provisioning!.HandleAsync(message);

    private void DisposeProvisioning()
    {
        _enrollment?.Dispose();
        _tokens?.Dispose();
    }
}
