using System.Text.Json.Nodes;
using Kiosk.Agent.Consent;
using Kiosk.Agent.Outbox;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Kiosk.Agent.Session;

/// <summary>
/// Consent before biometric capture (GB/T 41819-2022, PIPL art. 29): once the ID card has said who the person is and
/// their level's steps are known, a session whose steps capture anything biometric stops in <see cref="SessionState.Consent"/>
/// until the person answers. First time (or when the scope changed) they are asked; with consent on file for the same
/// scope they see a short notice that lets them continue or withdraw. Declining or withdrawing raises a
/// <c>staffCheckIn</c> alert and ends in <see cref="SessionState.StaffCheckIn"/>, having captured nothing of them.
/// A consent given is kept for next time only once the check-in is stored: by then the face (or whatever the level
/// verifies) has shown that the person who agreed is the card's holder, so someone else's card cannot put a consent on
/// file in its holder's name.
/// </summary>
public sealed partial class CheckInSession
{
    private const string StaffCheckInAlert = "staffCheckIn";

    private ConsentScope? _consentScope;
    private ConsentOnFile? _consentOnFile;
    private JsonObject? _consentGiven;
    private DateTimeOffset? _consentGivenInSessionAt;
    private ConsentDecision? _staffCheckInReason;

    /// <summary>What the person is asked while the session is in <see cref="SessionState.Consent"/>; null otherwise.</summary>
    public ConsentQuestion? ConsentQuestion => State == SessionState.Consent && _consentScope is { } scope ? new ConsentQuestion(scope, _consentOnFile) : null;

    /// <summary>Why staff check the person in, while the session is in <see cref="SessionState.StaffCheckIn"/>; null otherwise.</summary>
    public ConsentDecision? StaffCheckInReason => State == SessionState.StaffCheckIn ? _staffCheckInReason : null;

    /// <summary>
    /// The person's answer to the consent screen: <see cref="ConsentChoice.Agree"/> (asked: the check-in goes on, and the
    /// consent is kept for next time once it is stored; notice: the check-in goes on under the consent on file),
    /// <see cref="ConsentChoice.Staff"/> (asked only) or <see cref="ConsentChoice.Withdraw"/> (when consent is on file).
    /// A choice the screen did not offer is <c>retry</c>.
    /// </summary>
    public async Task<StepOutcome> ConsentAsync(ConsentChoice choice, CancellationToken cancellationToken)
    {
        if (!await _gate.WaitAsync(0, cancellationToken).ConfigureAwait(false))
        {
            return Outcome(StepResult.Busy, "请稍候 / Please wait");
        }

        try
        {
            if (ConsentQuestion is not { } question || _evidence?.Person is not { } person)
            {
                return Outcome(StepResult.OutOfOrder, "现在不需要确认采集说明 / Consent is not being asked now");
            }

            _idleTimer.Change(_options.IdleTimeout, Timeout.InfiniteTimeSpan);
            return choice switch
            {
                ConsentChoice.Agree => Agree(question),
                ConsentChoice.Staff when !question.IsNotice => await StaffInsteadAsync(ConsentDecision.Refused, question.Scope, null, true, cancellationToken).ConfigureAwait(false),
                ConsentChoice.Withdraw when question.OnFile is { } onFile => await WithdrawAsync(person.PersonId, onFile, cancellationToken).ConfigureAwait(false),
                _ => Outcome(StepResult.Retry, "此选项现在不可用 / That choice is not offered now"),
            };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Outcome(StepResult.Canceled, "已取消 / Canceled");
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>After the ID card: what this person's steps capture, and their consent on file. Nothing to capture, nothing to ask.</summary>
    private async Task PrepareConsentAsync(string personId, CancellationToken cancellationToken)
    {
        var scope = ConsentScope.For(_policy, _levelPolicy?.AttachmentRetentionDays);
        if (scope.IsEmpty)
        {
            return;
        }

        _consentScope = scope;
        try
        {
            _consentOnFile = await _consents.FindAsync(personId, cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException ex)
        {
            // Unreadable: the person is asked as if for the first time, which is always safe.
            LogConsentStoreFailed(_logger, "read", ex.Message);
        }
    }

    /// <summary>True while consent is needed and not given: no biometric step may run.</summary>
    private bool ConsentPending => _consentScope is not null && _consentGiven is null;

    private StepOutcome Agree(ConsentQuestion question)
    {
        var givenInSession = !question.IsNotice;
        var givenAt = givenInSession ? _timeProvider.GetUtcNow() : question.OnFile!.GivenAt;
        _consentGivenInSessionAt = givenInSession ? givenAt : null;
        _consentGiven = new JsonObject
        {
            ["choice"] = ConsentChoice.Agree.WireName(),
            ["version"] = question.Scope.TextVersion,
            ["scope"] = question.Scope.ToJson(),
            ["givenAt"] = OutboxTime.Format(givenAt),
            ["givenInSession"] = givenInSession,
        };
        MoveTo(StateAfterConsent());
        return Outcome(StepResult.Completed, givenInSession ? "已同意，谢谢 / Thank you for your consent" : "继续报到 / Continuing your check-in");
    }

    /// <summary>After the check-in is stored: keeps a consent given in this session, so the person's next check-in shows the notice.</summary>
    private async Task KeepConsentAsync()
    {
        if (_consentScope is not { } scope || _consentGivenInSessionAt is not { } givenAt || _evidence?.Person is not { } person)
        {
            return;
        }

        try
        {
            // Not cancelable: the check-in is stored already, and its caller must hear so.
            await _consents.SaveAsync(person.PersonId, scope, givenAt, CancellationToken.None).ConfigureAwait(false);
        }
        catch (SqliteException ex)
        {
            // The check-in is stored with its consent all the same; only next time's notice is lost (the person is asked again).
            LogConsentStoreFailed(_logger, "keep", ex.Message);
        }
    }

    private async Task<StepOutcome> WithdrawAsync(string personId, ConsentOnFile onFile, CancellationToken cancellationToken)
    {
        var deleted = true;
        try
        {
            await _consents.WithdrawAsync(personId, cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException ex)
        {
            // Staff must know: the alert says so, and they can delete it (or the whole consent file) by hand.
            deleted = false;
            LogConsentStoreFailed(_logger, "delete", ex.Message);
        }

        return await StaffInsteadAsync(ConsentDecision.Withdrawn, onFile.Scope, onFile.GivenAt, deleted, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Tells staff (a <c>staffCheckIn</c> alert with the decision), forgets the person and waits for staff.</summary>
    private async Task<StepOutcome> StaffInsteadAsync(ConsentDecision decision, ConsentScope scope, DateTimeOffset? givenAt, bool storedConsentDeleted, CancellationToken cancellationToken)
    {
        var consent = new JsonObject { ["decision"] = decision.WireName(), ["version"] = scope.TextVersion, ["scope"] = scope.ToJson() };
        if (decision == ConsentDecision.Withdrawn)
        {
            consent["givenAt"] = OutboxTime.Format(givenAt);
            consent["storedConsentDeleted"] = storedConsentDeleted;
        }

        var facts = SessionFacts();
        facts["consent"] = consent;
        var detail = decision == ConsentDecision.Refused
            ? "the person declined biometric capture and chose to check in with staff"
            : "the person withdrew their consent to biometric capture and chose to check in with staff"
              + (storedConsentDeleted ? "; the kiosk deleted the stored consent" : "; the kiosk could NOT delete the stored consent (see its log)");
        try
        {
            var raised = await _alerts.RaiseAsync(StaffCheckInAlert, "medium", detail, facts, cancellationToken).ConfigureAwait(false);
            lock (_callStaffLock)
            {
                // Staff acknowledging it shows "on their way" (cmd/alert-disposition); a press of call staff now is not a second call.
                _callStaffAlerts.Add(raised.RecordId);
                _lastCallStaff = _timeProvider.GetTimestamp();
            }
        }
        catch (Exception ex) when (ex is OutboxFullException or SqliteException or IOException)
        {
            LogCommitFailed(_logger, ex.Message);
            _evidence?.Wipe();
            MoveTo(SessionState.Halted);
            return Outcome(StepResult.NotStored, "未能通知工作人员，请点击“呼叫工作人员” / Staff could not be told; please press Call staff");
        }

        // Staff take over: nothing of the person stays in the session (the alert carries who they are).
        _evidence?.Wipe();
        _staffCheckInReason = decision;
        MoveTo(SessionState.StaffCheckIn);
        return Outcome(StepResult.Completed, decision == ConsentDecision.Refused
            ? "已通知工作人员，工作人员将为您办理报到，不采集任何生物特征信息 / Staff have been told and will check you in; nothing biometric is captured"
            : "您的同意已撤回并已从本机删除，工作人员将为您办理报到 / Your consent is withdrawn and deleted from this kiosk; staff will check you in");
    }

    private SessionState StateAfterConsent() => _nextStepIndex >= _policy.Count ? SessionState.Commit : _policy[_nextStepIndex].StateOf();

    private void ForgetConsent()
    {
        _consentScope = null;
        _consentOnFile = null;
        _consentGiven = null;
        _consentGivenInSessionAt = null;
        _staffCheckInReason = null;
    }

    [LoggerMessage(EventId = 3202, Level = LogLevel.Error, Message = "The consent store could not {Operation} a consent: {Error}")]
    private static partial void LogConsentStoreFailed(ILogger logger, string operation, string error);
}
