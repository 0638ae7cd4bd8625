namespace Kiosk.Agent.Consent;

/// <summary>Why a person is checked in by staff instead of at the kiosk (the <c>staffCheckIn</c> alert's <c>consent.decision</c>).</summary>
public enum ConsentDecision
{
    /// <summary>Asked for consent, the person chose to check in with staff.</summary>
    Refused,

    /// <summary>The person withdrew the consent they had given; it was deleted from the kiosk.</summary>
    Withdrawn,
}

public static class ConsentDecisions
{
    public static string WireName(this ConsentDecision decision) => decision == ConsentDecision.Refused ? "refused" : "withdrawn";
}
