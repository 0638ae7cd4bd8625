using Kiosk.Agent.Configuration;

namespace Kiosk.Agent.Session;

/// <summary>Where the session is: Idle → Identify → Verify → Report → Capture → Sign → Commit → Receipt. <see cref="Halted"/> waits for staff after a failed verification.</summary>
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

public static class SessionStates
{
    public static SessionState StateOf(this CheckInStep step) => step switch
    {
        CheckInStep.IdCard => SessionState.Identify,
        CheckInStep.Face or CheckInStep.Fingerprint => SessionState.Verify,
        CheckInStep.ReportAnswers or CheckInStep.SpokenReport => SessionState.Report,
        CheckInStep.DocumentScan => SessionState.Capture,
        _ => SessionState.Sign,
    };
}
