namespace Kiosk.Agent.Configuration;

/// <summary>
/// Configuration section <c>Kiosk:Sync:Tls</c>: mutual TLS to the broker. Required outside the demo profile.
/// The files are PEM, written by <c>kioskctl enroll</c>; relative paths are under <c>Kiosk:DataFolder</c>.
/// </summary>
public sealed class TlsOptions
{
    public bool Enabled { get; set; }

    /// <summary>
    /// The platform's CA certificates (PEM, one or more): the broker's certificate must chain to a self-signed one of them,
    /// the others serving as intermediates. Several roots during a CA rotation (old and new). The agent trusts no other root.
    /// </summary>
    public string CaFile { get; set; } = "";

    /// <summary>This kiosk's certificate, issued by the platform at enrollment.</summary>
    public string ClientCertificateFile { get; set; } = "";

    /// <summary>This kiosk's private key; it never leaves the kiosk.</summary>
    public string ClientKeyFile { get; set; } = "";

    /// <summary>Name the broker's certificate must carry; defaults to <c>Kiosk:Sync:BrokerHost</c>.</summary>
    public string TargetHost { get; set; } = "";

    /// <summary>
    /// Renew this kiosk's certificate automatically once fewer than this are left before it expires (0 turns automatic
    /// renewal off; <c>cmd/renew-certificate</c> still works). Default 30 days, the margin of the expiry warning.
    /// </summary>
    public TimeSpan RenewBefore { get; set; } = TimeSpan.FromDays(30);

    /// <summary>A renewal request the platform has not answered is sent again after this, doubling up to <see cref="RenewalRetryMax"/>.</summary>
    public TimeSpan RenewalRetryInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The longest wait between two unanswered renewal requests.</summary>
    public TimeSpan RenewalRetryMax { get; set; } = TimeSpan.FromHours(12);

    /// <summary>How long the new certificate has to connect before the agent goes back to the old one and reports the renewal failed.</summary>
    public TimeSpan RenewalConnectTimeout { get; set; } = TimeSpan.FromSeconds(60);
}
