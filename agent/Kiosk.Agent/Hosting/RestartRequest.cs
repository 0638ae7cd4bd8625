using Microsoft.Extensions.Hosting;

namespace Kiosk.Agent.Hosting;

/// <summary>
/// A restart the agent asked for itself (the platform's <c>restart</c> command, a configuration change that needs one):
/// the host stops and <see cref="AgentRun"/> exits with <see cref="AgentRun.TemporaryFailure"/>, which both service
/// managers restart (systemd <c>Restart=always</c>; the Windows service's recovery actions act only on a failure exit).
/// </summary>
public sealed class RestartRequest(IHostApplicationLifetime lifetime)
{
    private volatile string? _reason;

    /// <summary>Why a restart was asked for, or null.</summary>
    public string? Reason => _reason;

    public void Request(string reason)
    {
        _reason = reason;
        lifetime.StopApplication();
    }
}
