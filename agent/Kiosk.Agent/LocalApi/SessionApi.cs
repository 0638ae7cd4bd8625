using System.Text.Json;
using Kiosk.Agent.Configuration;
using Kiosk.Agent.Consent;
using Kiosk.Agent.Session;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Kiosk.Agent.LocalApi;

/// <summary>
/// The check-in session as the kiosk screen drives it, on the loopback-only local API:
/// <c>GET /api/session</c>, <c>POST /api/session/start</c>, <c>POST /api/session/steps/{step}</c> (step wire names:
/// idCard, face, fingerprint, reportAnswers with a body <c>{"answers": {...}}</c>, spokenReport, documentScan,
/// signature), <c>POST /api/session/consent</c> with <c>{"choice": "agree"|"staff"|"withdraw", "version": n}</c> (the
/// person's answer in the consent state; <c>version</c>, the consent text the screen showed, is required to agree),
/// <c>POST /api/session/steps/spokenReport/finish</c> ("I'm done": the running recording ends there and keeps what was
/// said; <c>{"finished": false}</c> when none runs), <c>POST /api/session/commit</c>, <c>/cancel</c>, <c>/call-staff</c> (body <c>{"reason": "..."}</c>) and <c>/reset</c>
/// (back to Idle after the receipt is shown).
/// A step's result is the session's answer (200 with <c>result</c>: completed, retry, rejected, outOfOrder...);
/// 400 and 404 are only for requests the screen should never send. Answers carry the screen's message and the next
/// step, never captured data: no photo, template or ID number leaves the session through this API.
/// </summary>
internal sealed class SessionApi(CheckInSession session) : ILocalApiModule
{
    public void Map(IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/session");
        api.MapGet("", () => Results.Json(View(), LocalApiJson.Options));
        api.MapPost("/start", async (CancellationToken ct) => Answer(await session.StartAsync(ct).ConfigureAwait(false)));
        api.MapPost("/steps/{step}", RunStepAsync);
        // "I'm done" while the spoken report records: it ends there, keeping what was said; the step's own answer follows.
        api.MapPost("/steps/spokenReport/finish", () => Results.Json(new FinishAnswer(session.FinishSpokenReport()), LocalApiJson.Options));
        api.MapPost("/consent", ConsentAsync);
        api.MapPost("/commit", CommitAsync);
        api.MapPost("/cancel", async (CancellationToken ct) => Answer(await session.CancelAsync(ct).ConfigureAwait(false)));
        api.MapPost("/call-staff", CallStaffAsync);
        api.MapPost("/reset", () =>
        {
            session.Reset();
            return Results.Json(View(), LocalApiJson.Options);
        });
    }

    private SessionView View() => ViewOf(session);

    /// <summary>What the screen shows of <paramref name="session"/> (no personal data); also pushed by <c>/api/session/events</c>.</summary>
    internal static SessionView ViewOf(CheckInSession session)
    {
        var idle = session.State == SessionState.Idle;
        var level = idle ? null : session.LevelPolicy;
        return new(session.State, session.NextStep, idle ? [] : session.RequiredSteps, idle ? null : session.SupervisionLevel)
        {
            Questions = level is null ? [] : [.. level.Questions.Select(q => new QuestionView(q.Id, q.TextZh, q.TextEn, Kiosk.Agent.Control.Commands.PolicyCommand.WireName(q.AnswerType), q.Required) { Choices = q.Choices })],
            PolicyVersion = idle ? null : session.PolicyVersion,
            RosterVersion = idle ? null : session.RosterVersion,
            FaceAttempts = level?.FaceAttempts,
            Liveness = level is null ? null : level.LivenessBlocks ? "block" : "flag",
            LivenessChallenge = level is null ? null : Kiosk.Agent.Control.Commands.PolicyCommand.WireName(level.Challenge),
            DocumentTypes = level?.DocumentTypes ?? [],
            DocumentDevice = session.NextStep == CheckInStep.DocumentScan ? (session.DocumentDevice == Kiosk.Devices.DeviceClass.DocumentCamera ? "documentCamera" : "documentScanner") : null,
            Document = session.DocumentToPlace is { } place ? DocumentView.Of(place.Type, place.Number, place.Count) : null,
            AttachmentRetentionDays = level?.AttachmentRetentionDays,
            Notice = session.StaffNotice,
            ReceiptSeconds = session.State == SessionState.Receipt ? (int)Math.Ceiling(session.ReceiptTimeout.TotalSeconds) : null,
            Consent = session.ConsentQuestion is { } question ? ConsentView.Of(question) : null,
            ConsentDecision = session.StaffCheckInReason?.WireName(),
        };
    }

    private static IResult Answer(StepOutcome outcome, CheckInReceipt? receipt = null) =>
        Results.Json(new SessionAnswer(outcome.Result, outcome.State, outcome.Message, outcome.NextStep, receipt is null ? null : new ReceiptView(receipt.RecordId, receipt.Seq, receipt.CommittedAt, receipt.SupervisionLevel, receipt.Steps)
        {
            PolicyVersion = receipt.PolicyVersion,
            RosterVersion = receipt.RosterVersion,
            AttachmentRetentionDays = receipt.AttachmentRetentionDays,
        }), LocalApiJson.Options);

    private async Task<IResult> RunStepAsync(string step, HttpRequest request, CancellationToken cancellationToken)
    {
        if (CheckInSteps.FromWireName(step) is not { } known)
        {
            return Results.Json(new LocalApiError($"unknown step '{step}': use one of {string.Join(", ", Enum.GetValues<CheckInStep>().Select(s => s.WireName()))}"), LocalApiJson.Options, statusCode: StatusCodes.Status404NotFound);
        }

        if (known != CheckInStep.ReportAnswers)
        {
            return Answer(await session.RunStepAsync(known, null, cancellationToken).ConfigureAwait(false));
        }

        var body = await ReadBodyAsync<ReportBody>(request, cancellationToken).ConfigureAwait(false);
        return body?.Answers is { Count: > 0 } answers
            ? Answer(await session.RunStepAsync(known, answers, cancellationToken).ConfigureAwait(false))
            : Results.Json(new LocalApiError("reportAnswers needs a JSON body {\"answers\": {\"question\": \"answer\", ...}} with at least one answer"), LocalApiJson.Options, statusCode: StatusCodes.Status400BadRequest);
    }

    private async Task<IResult> ConsentAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await ReadBodyAsync<ConsentBody>(request, cancellationToken).ConfigureAwait(false);
        if (ConsentChoices.FromWireName(body?.Choice) is not { } choice)
        {
            return Results.Json(new LocalApiError("consent needs a JSON body {\"choice\": \"agree\"|\"staff\"|\"withdraw\", \"version\": n}"), LocalApiJson.Options, statusCode: StatusCodes.Status400BadRequest);
        }

        // An agreement counts only for the words the person read: a screen showing another text must be reloaded first.
        if (choice == ConsentChoice.Agree && body!.Version != ConsentScope.CurrentTextVersion)
        {
            return Results.Json(new LocalApiError($"the screen showed consent text version {body.Version?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(none)"}, and this kiosk asks consent to version {ConsentScope.CurrentTextVersion}: reload the screen"), LocalApiJson.Options, statusCode: StatusCodes.Status409Conflict);
        }

        return Answer(await session.ConsentAsync(choice, cancellationToken).ConfigureAwait(false));
    }

    private async Task<IResult> CommitAsync(CancellationToken cancellationToken)
    {
        var (outcome, receipt) = await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        return Answer(outcome, receipt);
    }

    private async Task<IResult> CallStaffAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await ReadBodyAsync<CallStaffBody>(request, cancellationToken).ConfigureAwait(false);
        var reason = string.IsNullOrWhiteSpace(body?.Reason) ? "called from the kiosk screen" : body.Reason.Trim();
        return reason.Length > CheckInSession.MaxCallStaffReason
            ? Results.Json(new LocalApiError($"reason is longer than {CheckInSession.MaxCallStaffReason} characters"), LocalApiJson.Options, statusCode: StatusCodes.Status400BadRequest)
            : Answer(await session.CallStaffAsync(reason, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Null for an empty or malformed body; the caller answers 400 where a body is required.</summary>
    private static async Task<T?> ReadBodyAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        if (request.ContentLength is 0 or > 64 * 1024)
        {
            return null;
        }

        try
        {
            return await JsonSerializer.DeserializeAsync<T>(request.Body, LocalApiJson.Options, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record ReportBody(Dictionary<string, string>? Answers);

    private sealed record CallStaffBody(string? Reason);

    /// <summary>Finished: false when no recording was running (the press came too late).</summary>
    private sealed record FinishAnswer(bool Finished);

    private sealed record ConsentBody(string? Choice, int? Version);
}

/// <summary>
/// <c>GET /api/session</c>: where the session is and what the screen should ask for next. Once the person is identified
/// under a platform policy (<c>cmd/policy</c>), also the report's questions to show (both languages, the answer type,
/// whether required), the face attempts, the liveness rule, the document types to ask for and the attachments' retention;
/// without one, those are empty or null and configuration's steps apply.
/// </summary>
public sealed record SessionView(SessionState State, CheckInStep? NextStep, IReadOnlyList<CheckInStep> RequiredSteps, string? SupervisionLevel)
{
    public IReadOnlyList<QuestionView> Questions { get; init; } = [];

    public long? PolicyVersion { get; init; }

    public long? RosterVersion { get; init; }

    public int? FaceAttempts { get; init; }

    /// <summary>block or flag, or null without a platform policy.</summary>
    public string? Liveness { get; init; }

    /// <summary>
    /// The policy's challenge kind: none, blink, turn or either (null without a platform policy). What each attempt asks
    /// comes as the <c>challenge</c> activity when the face step starts.
    /// </summary>
    public string? LivenessChallenge { get; init; }

    public IReadOnlyList<string> DocumentTypes { get; init; } = [];

    /// <summary>When documentScan is next: <c>documentCamera</c> (one typed document at a time, <see cref="Document"/>) or <c>documentScanner</c> (the feeder at once).</summary>
    public string? DocumentDevice { get; init; }

    /// <summary>Under the document camera: the document to place now; null otherwise.</summary>
    public DocumentView? Document { get; init; }

    public int? AttachmentRetentionDays { get; init; }

    /// <summary>A notice for the person from staff (e.g. "工作人员正在赶来 / Staff are on their way" once their call is acknowledged), or null.</summary>
    public string? Notice { get; init; }

    /// <summary>On the receipt: the seconds it stays before the kiosk returns to its start (the screen counts them down).</summary>
    public int? ReceiptSeconds { get; init; }

    /// <summary>In state <c>consent</c>: what to ask (the whole consent text, or the short notice of a consent on file); null otherwise.</summary>
    public ConsentView? Consent { get; init; }

    /// <summary>In state <c>staffCheckIn</c>: <c>refused</c> or <c>withdrawn</c>; null otherwise.</summary>
    public string? ConsentDecision { get; init; }
}

/// <summary>
/// The consent question as the screen shows it: no name and no ID number, only what is captured, how long it is kept and
/// the version of the text. <see cref="Mode"/> <c>ask</c> shows the whole text (agree, or check in with staff); <c>notice</c>
/// says consent was given on <see cref="GivenAt"/> to the same scope (continue, or withdraw).
/// </summary>
/// <param name="Captures">face, fingerprint, voice, signature: what this person's steps capture.</param>
/// <param name="PlatformRetentionDays">How long the platform keeps it (the policy's), or null: as the office's rules require.</param>
/// <param name="Version">The consent text's version (the screen sends it back to agree).</param>
public sealed record ConsentView(string Mode, IReadOnlyList<string> Captures, int? PlatformRetentionDays, int Version)
{
    /// <summary>Notice: when the consent on file was given.</summary>
    public DateTimeOffset? GivenAt { get; init; }

    /// <summary>Ask: true when a consent is on file for another scope (what is captured, the retention or the text changed).</summary>
    public bool ScopeChanged { get; init; }

    internal static ConsentView Of(ConsentQuestion question) =>
        new(question.IsNotice ? "notice" : "ask", [.. question.Scope.Captures.Select(c => c.WireName())], question.Scope.PlatformRetentionDays, question.Scope.TextVersion)
        {
            GivenAt = question.IsNotice ? question.OnFile!.GivenAt : null,
            ScopeChanged = question.ScopeChanged,
        };
}

/// <summary>The document the person places under the document camera now: its type and name, and which of how many it is (1-based).</summary>
public sealed record DocumentView(string Type, string TextZh, string TextEn, int Number, int Count)
{
    internal static DocumentView Of(string type, int number, int count)
    {
        var (zh, en) = DocumentTypeNames.Of(type);
        return new(type, zh, en, number, count);
    }
}

/// <summary>One report question as the screen shows it; <c>reportAnswers</c> answers it by <see cref="Id"/>.</summary>
/// <param name="AnswerType">yesNo (answer yes or no), text, number, or date (yyyy-MM-dd).</param>
public sealed record QuestionView(string Id, string TextZh, string TextEn, string AnswerType, bool Required)
{
    /// <summary>When not empty, the answers to show as buttons (value, textZh, textEn); the answer is one of the values.</summary>
    public IReadOnlyList<AnswerChoice> Choices { get; init; } = [];
}

/// <summary>The answer to every session action: the result, the new state, the message to show and the next step.</summary>
public sealed record SessionAnswer(StepResult Result, SessionState State, string Message, CheckInStep? NextStep, ReceiptView? Receipt);

/// <summary>The stored check-in after a commit (no personal data: the record id and seq identify it).</summary>
public sealed record ReceiptView(string RecordId, long Seq, DateTimeOffset CommittedAt, string SupervisionLevel, IReadOnlyList<CheckInStep> Steps)
{
    public long? PolicyVersion { get; init; }

    public long? RosterVersion { get; init; }

    public int? AttachmentRetentionDays { get; init; }
}
