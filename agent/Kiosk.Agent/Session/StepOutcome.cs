using Kiosk.Agent.Configuration;

namespace Kiosk.Agent.Session;

public enum StepResult
{
    /// <summary>The step is done; the session moved on.</summary>
    Completed,
    /// <summary>The person can try again (no card, no face in view, poor quality).</summary>
    Retry,
    /// <summary>A device failed; the person can try again or call staff.</summary>
    DeviceFailed,
    /// <summary>Verification failed: an alert was raised and the session waits for staff.</summary>
    Rejected,
    /// <summary>The step is not the one the session expects now.</summary>
    OutOfOrder,
    /// <summary>Another step is running.</summary>
    Busy,
    TimedOut,
    Canceled,
    /// <summary>The check-in could not be stored (outbox full or failing); the person is not told "done".</summary>
    NotStored,
}

/// <summary>What a step did, where the session is now, and what the screen should say (Chinese, then English).</summary>
public sealed record StepOutcome(StepResult Result, SessionState State, string Message)
{
    public CheckInStep? NextStep { get; init; }

    public bool IsCompleted => Result == StepResult.Completed;
}

/// <summary>The receipt of a stored check-in.</summary>
public sealed record CheckInReceipt(string RecordId, long Seq, DateTimeOffset CommittedAt, TimeSpan CommitDuration, string SupervisionLevel, IReadOnlyList<CheckInStep> Steps)
{
    /// <summary>The platform policy the check-in ran on, or null (configuration's steps).</summary>
    public long? PolicyVersion { get; init; }

    /// <summary>The platform roster the person was found on, or null (a generated roster).</summary>
    public long? RosterVersion { get; init; }

    /// <summary>The policy's retention of this check-in's attachments on the platform, or null (no platform policy).</summary>
    public int? AttachmentRetentionDays { get; init; }
}
