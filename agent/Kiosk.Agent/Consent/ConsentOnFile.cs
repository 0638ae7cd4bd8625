namespace Kiosk.Agent.Consent;

/// <summary>A consent a person gave at this kiosk and has not withdrawn: what it covers and when it was given.</summary>
public sealed record ConsentOnFile(ConsentScope Scope, DateTimeOffset GivenAt);
