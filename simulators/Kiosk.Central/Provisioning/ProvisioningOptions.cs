namespace Kiosk.Central.Provisioning;

/// <summary>
/// Enrollment (docs/mqtt-contract.md, "Provisioning"): the CA that issues kiosk certificates and the key the platform
/// signs commands with. All three files, or none: without them the simulator does not answer enrollment requests.
/// </summary>
public sealed class ProvisioningOptions
{
    /// <summary>PEM of the CA certificate that signs kiosk certificates (also sent to kiosks as <c>caChain</c>).</summary>
    public string? CaCertificateFile { get; set; }

    /// <summary>PEM (PKCS#8 or EC/RSA) private key of <see cref="CaCertificateFile"/>.</summary>
    public string? CaKeyFile { get; set; }

    /// <summary>PEM private key the platform signs commands with; kiosks receive its public key at enrollment.</summary>
    public string? CommandSigningKeyFile { get; set; }

    /// <summary>How long an issued kiosk certificate is valid (never past the CA's own end). 1 h..10 years; default 365 days.</summary>
    public TimeSpan CertificateLifetime { get; set; } = TimeSpan.FromDays(365);

    /// <summary>
    /// The broker's ACL file (docs/mqtt-contract.md, "Broker access control"). When set, each kiosk that enrolls gets its
    /// block (<see cref="BrokerAcl.ForKiosk"/>) added, once; the broker reads it again on SIGHUP. Null: the ACL is kept
    /// some other way.
    /// </summary>
    public string? AclFile { get; set; }

    /// <summary>True when the files are given, so the simulator answers enrollment requests.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(CaCertificateFile) || !string.IsNullOrWhiteSpace(CaKeyFile) || !string.IsNullOrWhiteSpace(CommandSigningKeyFile);

    internal void Validate(List<string> problems)
    {
        if (!Enabled)
        {
            return;
        }

        foreach (var (name, file) in new[] { (nameof(CaCertificateFile), CaCertificateFile), (nameof(CaKeyFile), CaKeyFile), (nameof(CommandSigningKeyFile), CommandSigningKeyFile) })
        {
            if (string.IsNullOrWhiteSpace(file))
            {
                problems.Add($"Provisioning:{name} is empty (the CA certificate, its key and the command-signing key go together)");
            }
            else if (!File.Exists(file))
            {
                problems.Add($"Provisioning:{name} '{file}' does not exist");
            }
        }

        if (CertificateLifetime < TimeSpan.FromHours(1) || CertificateLifetime > TimeSpan.FromDays(3650))
        {
            problems.Add($"Provisioning:{nameof(CertificateLifetime)} {CertificateLifetime} is not in 1 h..3650 days");
        }
    }
}
