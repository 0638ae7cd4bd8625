namespace Kiosk.Agent.Configuration;

/// <summary>What a person may be asked to do; the policy of their supervision level picks which, in this order.</summary>
public enum CheckInStep
{
    IdCard,
    Face,
    Fingerprint,
    ReportAnswers,
    SpokenReport,
    DocumentScan,
    Signature,
}

public static class CheckInSteps
{
    /// <summary>The step's name on the wire and in the local API (<c>idCard</c>, <c>face</c>...).</summary>
    public static string WireName(this CheckInStep step) => step switch
    {
        CheckInStep.IdCard => "idCard",
        CheckInStep.Face => "face",
        CheckInStep.Fingerprint => "fingerprint",
        CheckInStep.ReportAnswers => "reportAnswers",
        CheckInStep.SpokenReport => "spokenReport",
        CheckInStep.DocumentScan => "documentScan",
        _ => "signature",
    };

    /// <summary>The step with wire name <paramref name="wireName"/>, or null.</summary>
    public static CheckInStep? FromWireName(string wireName) =>
        Enum.GetValues<CheckInStep>().Cast<CheckInStep?>().FirstOrDefault(s => s!.Value.WireName() == wireName);
}
