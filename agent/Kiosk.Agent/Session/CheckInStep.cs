using Kiosk.Agent.Configuration;

namespace Kiosk.Agent.Session;

/// <summary>
/// Where the session is: Idle → Identify → Consent → Verify → Report → Capture → Sign → Commit → Receipt. <see cref="Halted"/>
/// waits for staff after a failed verification; <see cref="StaffCheckIn"/> waits for staff after the person declined or
/// withdrew consent to biometric capture.
/// </summary>
public enum SessionState
{
    Idle,
    Identify,

    /// <summary>The person is identified; the session waits for their consent (or their notice's answer) before any biometric capture.</summary>
    Consent,
    Verify,
    Report,
    Capture,
    Sign,
    Commit,
    Receipt,
    Halted,

    /// <summary>The person chose staff over biometric capture (or withdrew consent): staff are told, nothing biometric is captured.</summary>
    StaffCheckIn,
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
