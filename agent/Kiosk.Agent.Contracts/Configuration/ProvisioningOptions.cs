namespace Kiosk.Agent.Configuration;

/// <summary>
/// Configuration section <c>Kiosk:Provisioning</c>, written by <c>kioskctl init</c> and <c>kioskctl enroll</c>: where the
/// broker's enrollment listener is, and the platform's command-signing public key enrollment delivered, with which the
/// agent verifies what the platform sends it.
/// </summary>
public sealed class ProvisioningOptions
{
    public const string Section = "Kiosk:Provisioning";

    /// <summary>The broker's TLS listener for enrollment (no client certificate); kioskctl's default when unset.</summary>
    public int? Port { get; set; }

    /// <summary>The platform's command-signing public key (PEM), as enrollment stored it in the pki folder.</summary>
    public string CommandSigningKeyFile { get; set; } = "";
}
