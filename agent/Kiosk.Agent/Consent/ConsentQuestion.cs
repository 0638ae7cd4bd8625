namespace Kiosk.Agent.Consent;

/// <summary>What the session asks a person before any biometric capture: the scope of this check-in, and their consent on file.</summary>
/// <param name="OnFile">The person's consent at this kiosk, whatever its scope, or null.</param>
public sealed record ConsentQuestion(ConsentScope Scope, ConsentOnFile? OnFile)
{
    /// <summary>
    /// True when the consent on file covers exactly this scope: the screen shows a short notice (continue, or withdraw)
    /// instead of the whole consent text.
    /// </summary>
    public bool IsNotice => OnFile is { } onFile && onFile.Scope == Scope;

    /// <summary>True when a consent is on file but for another scope (a capture added or dropped, the retention or the text changed): asked again.</summary>
    public bool ScopeChanged => OnFile is not null && !IsNotice;
}
