using System.Text.Json.Nodes;
using Kiosk.Agent.Configuration;
using Kiosk.Agent.Consent;
using Kiosk.Agent.Devices;
using Kiosk.Agent.Hosting;
using Kiosk.Agent.Outbox;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kiosk.Agent.Session;

/// <summary>
/// The check-in a person does at the kiosk screen: Idle → Identify → Consent → Verify → Report → Capture → Sign →
/// Commit → Receipt, with the steps the person's supervision level requires. Nothing biometric is captured of the person
/// before they consent (<see cref="ConsentAsync"/>); one who declines or withdraws is checked in by staff (StaffCheckIn).
/// The screen (or the demo's simulated visitors) calls one method per step; each claims only the device it needs, for as
/// long as it needs it. A check-in is stored in the outbox before the person is told it is done.
/// Thread safety: one step runs at a time; a concurrent call returns <see cref="StepResult.Busy"/>.
/// </summary>
public sealed partial class CheckInSession : IDisposable
{
    internal const string ClaimOwner = "check-in session";
    private readonly DeviceSet _devices;
    private readonly IRoster _roster;
    private readonly PolicyStore? _policies;
    private readonly OutboxStore _outbox;
    private readonly Alerts _alerts;
    private readonly ConsentStore _consents;
    private readonly SessionOptions _options;
    private readonly AgentIdentity _identity;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<CheckInSession> _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ITimer _idleTimer;
    private CheckInEvidence? _evidence;
    private IReadOnlyList<CheckInStep> _policy = [];
    private string _level = "";
    private IRoster? _sessionRoster;
    private SessionPolicy? _sessionPolicy;
    private LevelPolicy? _levelPolicy;
    private int _faceAttempts;
    private int _nextStepIndex;
    private readonly Lock _callStaffLock = new();
    private long? _lastCallStaff;
    private readonly HashSet<string> _callStaffAlerts = new(StringComparer.Ordinal);
    private volatile string? _staffNotice;
    private CancellationTokenSource? _finishRecording;

    /// <summary>The longest reason a call-staff alert keeps (the screen's text; longer is cut).</summary>
    public const int MaxCallStaffReason = 200;

    public CheckInSession(DeviceSet devices, IRoster roster, OutboxStore outbox, Alerts alerts, ConsentStore consents, IOptions<SessionOptions> options, AgentIdentity identity, TimeProvider timeProvider, ILogger<CheckInSession> logger, PolicyStore? policies = null)
    {
        _devices = devices;
        _roster = roster;
        _policies = policies;
        _outbox = outbox;
        _alerts = alerts;
        _consents = consents;
        _options = options.Value;
        _identity = identity;
        _timeProvider = timeProvider;
        _logger = logger;
        _idleTimer = timeProvider.CreateTimer(_ => OnIdleTimeout(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public SessionState State { get; private set; } = SessionState.Idle;

    /// <summary>
    /// The step the session expects next, or null when none (Idle, Consent, Commit, Receipt, Halted, StaffCheckIn). In
    /// Consent the session waits for <see cref="ConsentAsync"/>, which no step can stand in for.
    /// </summary>
    public CheckInStep? NextStep =>
        State is SessionState.Idle or SessionState.Consent or SessionState.Halted or SessionState.StaffCheckIn or SessionState.Receipt || _nextStepIndex >= _policy.Count
            ? null
            : _policy[_nextStepIndex];

    /// <summary>The steps of the person's level (platform policy or configuration); the session asks for consent after idCard on top of them.</summary>
    public IReadOnlyList<CheckInStep> RequiredSteps => _policy;

    /// <summary>How long the receipt stays before the kiosk returns to its start (<see cref="SessionOptions.ReceiptTimeout"/>).</summary>
    public TimeSpan ReceiptTimeout => _options.ReceiptTimeout < _options.IdleTimeout ? _options.ReceiptTimeout : _options.IdleTimeout;

    public string SupervisionLevel => _level;

    /// <summary>The platform policy's rules for this person's level, or null when configuration decides (no policy, or not identified yet).</summary>
    public LevelPolicy? LevelPolicy => _levelPolicy;

    /// <summary>The report's questions for this person (empty before identification or without a platform policy).</summary>
    public IReadOnlyList<ReportQuestion> Questions => _levelPolicy?.Questions ?? [];

    /// <summary>The platform policy version this session runs on (taken at its start), or null.</summary>
    public long? PolicyVersion => _sessionPolicy?.Version;

    /// <summary>The platform roster version this session runs on (taken at its start), or null.</summary>
    public long? RosterVersion => _sessionRoster?.Version;

    /// <summary>True while the session holds anything about a person (for tests and the screen's privacy check).</summary>
    public bool HoldsPersonalData => _evidence?.HoldsPersonalData ?? false;

    internal CheckInEvidence? Evidence => _evidence;

    /// <summary>Raised after every state change.</summary>
    public event EventHandler<SessionState>? StateChanged;

    /// <summary>Raised after anything the screen shows changes: the state (as <see cref="StateChanged"/>) or the staff notice.</summary>
    public event EventHandler? ViewChanged;

    /// <summary>
    /// Raised while a step runs, on the device's thread, for what the screen shows live (preview frames, levels, pen samples);
    /// a handler must return at once. Nothing of it is kept.
    /// </summary>
    public event EventHandler<SessionActivity>? Activity;

    /// <summary>Tells the screen; a failing listener never breaks the step.</summary>
    private void ReportActivity(SessionActivity activity)
    {
        try
        {
            Activity?.Invoke(this, activity);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogActivityListenerFailed(_logger, activity.Kind, ex.GetType().Name);
        }
    }

    /// <summary>Starts a check-in: Idle → Identify.</summary>
    public async Task<StepOutcome> StartAsync(CancellationToken cancellationToken)
    {
        if (!await _gate.WaitAsync(0, cancellationToken).ConfigureAwait(false))
        {
            return Outcome(StepResult.Busy, "请稍候 / Please wait");
        }

        try
        {
            if (State != SessionState.Idle)
            {
                return Outcome(StepResult.OutOfOrder, "上一位的报到尚未结束 / The previous check-in has not finished");
            }

            _evidence = new CheckInEvidence(Guid.CreateVersion7(_timeProvider.GetUtcNow()).ToString("D"), _timeProvider.GetUtcNow());
            _policy = [CheckInStep.IdCard];
            _nextStepIndex = 0;

            // This session finishes on the roster and policy in force now, whatever the platform sends meanwhile.
            _sessionRoster = _roster.Snapshot();
            _sessionPolicy = _policies?.Current;
            _levelPolicy = null;
            _faceAttempts = _options.FaceAttempts;
            ForgetConsent();
            ForgetDocuments();
            MoveTo(SessionState.Identify);
            return Outcome(StepResult.Completed, "请将身份证放在读卡区 / Place your ID card on the reader");
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stores the check-in (one transaction, synchronous=FULL) and moves to Receipt.</summary>
    public async Task<(StepOutcome Outcome, CheckInReceipt? Receipt)> CommitAsync(CancellationToken cancellationToken)
    {
        if (!await _gate.WaitAsync(0, cancellationToken).ConfigureAwait(false))
        {
            return (Outcome(StepResult.Busy, "请稍候 / Please wait"), null);
        }

        try
        {
            if (State != SessionState.Commit || _evidence is null)
            {
                return (Outcome(StepResult.OutOfOrder, "还有步骤未完成 / Some steps are not done yet"), null);
            }

            var record = _evidence.ToCheckInRecord(_identity.SiteId, _identity.KioskId, _level, _policy, _timeProvider.GetUtcNow());
            if (_sessionPolicy is { } platformPolicy && _levelPolicy is { } levelPolicy)
            {
                record.Body["policyVersion"] = platformPolicy.Version;
                record.Body["attachmentRetentionDays"] = levelPolicy.AttachmentRetentionDays;
            }

            if (_sessionRoster?.Version is { } rosterVersion)
            {
                record.Body["rosterVersion"] = rosterVersion;
            }

            if (_consentGiven is { } consent)
            {
                record.Body["consent"] = consent.DeepClone();
            }

            CommitReceipt stored;
            try
            {
                stored = await _outbox.CommitAsync(record, cancellationToken).ConfigureAwait(false);
            }
            catch (OutboxFullException ex)
            {
                LogCommitFailed(_logger, ex.Message);
                await TryRaiseAlertAsync("storageFull", "high", "a check-in was refused: " + ex.Message, cancellationToken).ConfigureAwait(false);
                return (Outcome(StepResult.NotStored, "本机存储已满，暂时无法报到，请联系工作人员 / This kiosk's storage is full and cannot take your check-in now; please see staff"), null);
            }
            catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or IOException or InvalidDataException)
            {
                LogCommitFailed(_logger, ex.Message);
                await TryRaiseAlertAsync("checkInNotStored", "high", "a check-in could not be stored: " + ex.Message, cancellationToken).ConfigureAwait(false);
                return (Outcome(StepResult.NotStored, "报到未能保存，请联系工作人员 / Your check-in could not be stored; please call staff"), null);
            }

            await KeepConsentAsync().ConfigureAwait(false);
            var receipt = new CheckInReceipt(stored.RecordId, stored.Seq, stored.CommittedAt, stored.Duration, _level, _policy)
            {
                PolicyVersion = _sessionPolicy?.Version,
                RosterVersion = _sessionRoster?.Version,
                AttachmentRetentionDays = _levelPolicy?.AttachmentRetentionDays,
            };
            _evidence.Wipe();
            MoveTo(SessionState.Receipt);
            return (Outcome(StepResult.Completed, "报到完成 / Check-in complete"), receipt);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Raises a "call staff" alert (stored in the outbox like any record); the session keeps its place. At most one alert per
    /// <see cref="SessionOptions.CallStaffInterval"/>: a person pressing again, or a flood of requests, is told staff are
    /// already called and stores nothing, so the outbox cannot be filled this way.
    /// </summary>
    public async Task<StepOutcome> CallStaffAsync(string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reason);
        var now = _timeProvider.GetTimestamp();
        lock (_callStaffLock)
        {
            if (_lastCallStaff is { } last && _timeProvider.GetElapsedTime(last, now) < _options.CallStaffInterval)
            {
                return Outcome(StepResult.Completed, "已呼叫工作人员，请稍候 / Staff have already been called; please wait");
            }

            _lastCallStaff = now;
        }

        var detail = reason.Length > MaxCallStaffReason ? reason[..MaxCallStaffReason] : reason;
        var receipt = await _alerts.RaiseAsync("callStaff", "medium", detail, SessionFacts(), cancellationToken).ConfigureAwait(false);
        lock (_callStaffLock)
        {
            _callStaffAlerts.Add(receipt.RecordId);
        }

        return Outcome(StepResult.Completed, "已呼叫工作人员 / Staff have been called");
    }

    /// <summary>
    /// What the screen shows the person about staff they called (<c>cmd/alert-disposition</c>), or null; cleared when the
    /// session ends (back to Idle).
    /// </summary>
    public string? StaffNotice => _staffNotice;

    public const string StaffComingNotice = "工作人员正在赶来 / Staff are on their way";

    /// <summary>
    /// Staff acknowledged or resolved alert <paramref name="alertRecordId"/>: when it is a call-staff alert of this
    /// session, the person is told (acknowledged: staff are on their way; resolved: the notice goes). True when it was one.
    /// </summary>
    public bool NoteStaffDisposition(string alertRecordId, bool resolved)
    {
        lock (_callStaffLock)
        {
            if (!_callStaffAlerts.Contains(alertRecordId))
            {
                return false;
            }

            _staffNotice = resolved ? null : StaffComingNotice;
        }

        ViewChanged?.Invoke(this, EventArgs.Empty);
        return true;
    }

    /// <summary>The person gave up: wipe everything and go back to Idle.</summary>
    public async Task<StepOutcome> CancelAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ResetCore();
            return Outcome(StepResult.Canceled, "已取消 / Canceled");
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Back to Idle, dropping every piece of personal data from memory (e.g. after the receipt is shown).</summary>
    public void Reset()
    {
        _gate.Wait();
        try
        {
            ResetCore();
        }
        finally
        {
            _gate.Release();
        }
    }

    private void ResetCore()
    {
        _evidence?.Wipe();
        _evidence = null;
        _policy = [];
        _level = "";
        _sessionRoster = null;
        _sessionPolicy = null;
        _levelPolicy = null;
        _nextStepIndex = 0;
        ForgetConsent();
        ForgetDocuments();
        lock (_callStaffLock)
        {
            _callStaffAlerts.Clear();
            _staffNotice = null;
        }

        _idleTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        MoveTo(SessionState.Idle);
    }

    private void OnIdleTimeout()
    {
        if (_gate.Wait(0))
        {
            try
            {
                if (State != SessionState.Idle)
                {
                    LogIdleReset(_logger, State);
                    ResetCore();
                }
            }
            finally
            {
                _gate.Release();
            }
        }
    }

    private void MoveTo(SessionState state)
    {
        State = state;
        if (state != SessionState.Idle)
        {
            // The receipt goes after a short while, so the next person never finds the last one's record number.
            _idleTimer.Change(state == SessionState.Receipt ? ReceiptTimeout : _options.IdleTimeout, Timeout.InfiniteTimeSpan);
        }

        StateChanged?.Invoke(this, state);
        ViewChanged?.Invoke(this, EventArgs.Empty);
    }

    /// <summary>An alert about this session: the alert's common fields, the session and its state, and the person's ID number once known.</summary>
    private Task RaiseAlertAsync(string alertType, string severity, string detail, CancellationToken cancellationToken) =>
        _alerts.RaiseAsync(alertType, severity, detail, SessionFacts(), cancellationToken);

    /// <summary>As <see cref="RaiseAlertAsync"/>, for an alert about a failing outbox, which may fail too.</summary>
    private Task TryRaiseAlertAsync(string alertType, string severity, string detail, CancellationToken cancellationToken) =>
        _alerts.TryRaiseAsync(alertType, severity, detail, SessionFacts(), cancellationToken);

    private JsonObject SessionFacts()
    {
        var facts = new JsonObject { ["sessionId"] = _evidence?.SessionId, ["state"] = State.ToString() };
        if (_evidence?.Card is { } card)
        {
            facts["idNumber"] = card.IdNumber;
        }

        return facts;
    }

    private StepOutcome Outcome(StepResult result, string message) => new(result, State, message) { NextStep = NextStep };

    public void Dispose()
    {
        _evidence?.Wipe();
        _idleTimer.Dispose();
        _gate.Dispose();
    }

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "Check-in could not be stored: {Error}")]
    private static partial void LogCommitFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Session idle in {State}; reset to Idle and wiped")]
    private static partial void LogIdleReset(ILogger logger, SessionState state);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "A listener of the session's live {Kind} activity failed ({Error}); the step goes on")]
    private static partial void LogActivityListenerFailed(ILogger logger, string kind, string error);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Step {Step} failed: {Code} {Description}")]
    private static partial void LogStepFailed(ILogger logger, string step, Kiosk.Devices.CompletionCode code, string description);
}
