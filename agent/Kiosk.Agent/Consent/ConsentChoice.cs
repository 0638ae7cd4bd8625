namespace Kiosk.Agent.Consent;

/// <summary>What the person chose on the consent screen.</summary>
public enum ConsentChoice
{
    /// <summary>Agrees to the capture as described (or, with consent on file for the same scope, continues on it).</summary>
    Agree,

    /// <summary>Declines: checks in with staff instead; nothing biometric is captured.</summary>
    Staff,

    /// <summary>Withdraws the consent on file: it is deleted, and staff check the person in.</summary>
    Withdraw,
}

public static class ConsentChoices
{
    public static string WireName(this ConsentChoice choice) => choice switch
    {
        ConsentChoice.Agree => "agree",
        ConsentChoice.Staff => "staff",
        _ => "withdraw",
    };

    /// <summary>The choice with wire name <paramref name="wireName"/>, or null.</summary>
    public static ConsentChoice? FromWireName(string? wireName) =>
        Enum.GetValues<ConsentChoice>().Cast<ConsentChoice?>().FirstOrDefault(c => c!.Value.WireName() == wireName);
}
