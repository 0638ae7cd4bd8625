using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kiosk.Agent.Control;
using Kiosk.Agent.Control.Commands;
using Microsoft.Extensions.Logging;

namespace Kiosk.Agent.Session;

/// <summary>
/// The platform's session policy on this kiosk: loaded from the control store (sealed) at start, replaced by
/// <c>cmd/policy</c> when its version is above the one in force, stored durably before it is swapped in as one reference.
/// A session takes the policy in force when it starts and keeps it. Thread safety: reads are lock-free; updates serialised.
/// </summary>
public sealed partial class PolicyStore : IDisposable
{
    public const string DocumentName = "policy";

    private readonly ControlStore? _control;
    private readonly ILogger<PolicyStore> _logger;
    private readonly SemaphoreSlim _updates = new(1, 1);
    private volatile SessionPolicy? _current;

    public PolicyStore(ControlStore? control, ILogger<PolicyStore> logger)
    {
        _control = control;
        _logger = logger;
        _current = Load();
    }

    /// <summary>The policy in force, or null: then configuration (<c>Kiosk:Session</c>) decides.</summary>
    public SessionPolicy? Current => _current;

    public async Task<(SessionPolicy? Applied, string Message)> ApplyAsync(SessionPolicy policy, string bodyJson, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        await _updates.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_current is { } current && policy.Version <= current.Version)
            {
                return (null, $"version {policy.Version} is not above this kiosk's policy version {current.Version}");
            }

            if (_control is not null)
            {
                // Stored as sent, without the commandId: what TryParse reads back at the next start.
                var document = JsonNode.Parse(bodyJson)!.AsObject();
                document.Remove("commandId");
                await _control.SaveDocumentAsync(DocumentName, policy.Version, Encoding.UTF8.GetBytes(document.ToJsonString()), cancellationToken).ConfigureAwait(false);
            }

            _current = policy;
            LogApplied(_logger, policy.Version, policy.Levels.Count);
            return (policy, $"policy version {policy.Version} in force for {policy.Levels.Count} supervision levels");
        }
        finally
        {
            _updates.Release();
        }
    }

    private SessionPolicy? Load()
    {
        try
        {
            if (_control?.LoadDocument(DocumentName) is not { } stored)
            {
                return null;
            }

            if (!PolicyCommand.TryParse(stored.Content, out var policy, out var error) || policy!.Version != stored.Version)
            {
                LogUnreadable(_logger, error.Length > 0 ? error : "its version does not match");
                return null;
            }

            return policy;
        }
        catch (Exception ex) when (ex is InvalidDataException or JsonException)
        {
            LogUnreadable(_logger, ex.Message);
            return null;
        }
    }

    public void Dispose() => _updates.Dispose();

    [LoggerMessage(EventId = 2411, Level = LogLevel.Information, Message = "Session policy version {Version} in force ({Levels} supervision levels)")]
    private static partial void LogApplied(ILogger logger, long version, int levels);

    [LoggerMessage(EventId = 2412, Level = LogLevel.Error, Message = "The stored session policy is not usable ({Problem}); configuration's steps apply until the platform sends one")]
    private static partial void LogUnreadable(ILogger logger, string problem);
}
