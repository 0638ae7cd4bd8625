using Kiosk.Agent.Configuration;

namespace Kiosk.Agent.Session;

/// <summary>The answer a report question takes: <c>yesNo</c> (yes/no), <c>text</c>, <c>number</c>, <c>date</c> (yyyy-MM-dd).</summary>
public enum AnswerType
{
    YesNo,
    Text,
    Number,
    Date,
}

/// <summary>One question of the periodic report, in both languages the screen shows.</summary>
public sealed record ReportQuestion(string Id, string TextZh, string TextEn, AnswerType AnswerType, bool Required)
{
    /// <summary>
    /// The answers to pick from (a text or number question only), shown as buttons instead of a free answer; empty: any
    /// answer of <see cref="AnswerType"/>. An answer must then be one of the values.
    /// </summary>
    public IReadOnlyList<AnswerChoice> Choices { get; init; } = [];
}

/// <summary>One answer a person may pick: <see cref="Value"/> is what the record stores, the texts what the screen shows.</summary>
public sealed record AnswerChoice(string Value, string TextZh, string TextEn);

/// <summary>What the platform's policy asks of one supervision level.</summary>
/// <param name="Steps">In order; the first is always idCard.</param>
/// <param name="LivenessBlocks">True: a face that fails the camera's liveness check is a failed attempt; false: it is only flagged in the record.</param>
/// <param name="DocumentTypes">The documents the person is asked for, in order: one page each under the document camera (a kiosk with only a scanner scans what is fed).</param>
/// <param name="AttachmentRetentionDays">How long the platform keeps this level's attachments (carried in each check-in record).</param>
public sealed record LevelPolicy(
    IReadOnlyList<CheckInStep> Steps,
    IReadOnlyList<ReportQuestion> Questions,
    int FaceAttempts,
    bool LivenessBlocks,
    IReadOnlyList<string> DocumentTypes,
    int AttachmentRetentionDays)
{
    /// <summary>
    /// The active liveness challenge the face step asks for (policy field <c>livenessChallenge</c>); <see cref="LivenessChallenge.None"/>
    /// keeps the camera's passive check alone. Its result is decided by <see cref="LivenessBlocks"/> like the passive check's.
    /// </summary>
    public LivenessChallenge Challenge { get; init; }
}

/// <summary>
/// What the face step asks the person to do (<c>livenessChallenge</c>: none, blink, turn, either). A turn's side, and
/// for <see cref="Either"/> the kind too, is drawn at random for every attempt, so a recording cannot know it.
/// </summary>
public enum LivenessChallenge
{
    None,
    Blink,
    Turn,
    Either,
}

/// <summary>The platform's session policy (<c>cmd/policy</c>), one version; immutable. Configuration (<see cref="SessionOptions"/>) is the default while there is none.</summary>
public sealed record SessionPolicy(long Version, IReadOnlyDictionary<string, LevelPolicy> Levels);
