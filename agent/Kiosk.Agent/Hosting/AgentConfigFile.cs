namespace Kiosk.Agent.Hosting;

/// <summary>
/// The JSON configuration file this agent was started with (KIOSK_CONFIG, full path), or null when it runs without one
/// (the demo, a host that configures it in memory): <c>cmd/config</c> changes this file and refuses without one.
/// </summary>
public sealed record AgentConfigFile(string? Path);
