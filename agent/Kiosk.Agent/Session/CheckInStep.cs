namespace Kiosk.Agent.Session;

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

/// <summary>Where the session is (DESIGN.md section 4). <see cref="Halted"/> waits for staff after a failed verification.</summary>
public enum SessionState
{
    Idle,
    Identify,
    Verify,
    Report,
    Capture,
    Sign,
    Commit,
    Receipt,
    Halted,
}

public static class CheckInSteps
{
    public static SessionState StateOf(this CheckInStep step) => step switch
    {
        CheckInStep.IdCard => SessionState.Identify,
        CheckInStep.Face or CheckInStep.Fingerprint => SessionState.Verify,
        CheckInStep.ReportAnswers or CheckInStep.SpokenReport => SessionState.Report,
        CheckInStep.DocumentScan => SessionState.Capture,
        _ => SessionState.Sign,
    };

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
}
