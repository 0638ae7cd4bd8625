using Microsoft.Extensions.Logging;

namespace Kiosk.Agent.Control;

/// <summary>The one log line for a refused platform message, ack or command: the topic, the reason and why, never the content.</summary>
internal static partial class PlatformMessageLog
{
    [LoggerMessage(EventId = 2108, Level = LogLevel.Warning, Message = "Refused a platform message on {Topic} ({Reason}): {Problem}")]
    public static partial void Refused(ILogger logger, string topic, string reason, string problem);
}
