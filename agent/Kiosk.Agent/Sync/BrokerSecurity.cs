namespace Kiosk.Agent.Sync;

/// <summary>How the agent secures its broker connection: mutual TLS, or none (demo profile only; validation enforces it).</summary>
internal sealed class BrokerSecurity(BrokerTls? tls) : IDisposable
{
    public BrokerTls? Tls { get; } = tls;

    public void Dispose() => Tls?.Dispose();
}
