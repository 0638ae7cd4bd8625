using System.Globalization;
using System.Text.Json.Nodes;
using Kiosk.Agent.Configuration;
using Kiosk.Agent.Consent;
using Kiosk.Devices;
using Microsoft.Extensions.Logging;

namespace Kiosk.Agent.Session;

/// <summary>The device steps of a check-in. Each claims its device for the step only.</summary>
public sealed partial class CheckInSession
{
    private static readonly TimeSpan ClaimWait = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Runs <paramref name="step"/>, the one way every caller (the screen's API, the demo's visitors, the tests) drives a
    /// step. <paramref name="answers"/> are the report's answers (question id → answer) for <see cref="CheckInStep.ReportAnswers"/>.
    /// Consent is not a step: in <see cref="SessionState.Consent"/> only the person's own answer (<see cref="ConsentAsync"/>) moves on.
    /// </summary>
    public Task<StepOutcome> RunStepAsync(CheckInStep step, IReadOnlyDictionary<string, string>? answers, CancellationToken cancellationToken) => step switch
    {
        CheckInStep.IdCard => ReadIdCardAsync(cancellationToken),
        CheckInStep.Face => VerifyFaceAsync(cancellationToken),
        CheckInStep.Fingerprint => VerifyFingerprintAsync(cancellationToken),
        CheckInStep.ReportAnswers => SubmitReportAsync(answers ?? new Dictionary<string, string>(), cancellationToken),
        CheckInStep.SpokenReport => RecordSpokenReportAsync(cancellationToken),
        CheckInStep.DocumentScan => ScanDocumentsAsync(cancellationToken),
        CheckInStep.Signature => SignAsync(cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(step), step, "not a check-in step"),
    };

    public Task<StepOutcome> ReadIdCardAsync(CancellationToken cancellationToken) => RunStepAsync(CheckInStep.IdCard, async ct =>
    {
        var read = await WithClaimAsync(_devices.IdCardReader, claim => _devices.IdCardReader.ReadCardAsync(claim, new IdCardReadRequest { Timeout = _options.StepTimeout }, ct), ct).ConfigureAwait(false);
        if (!read.IsSuccess)
        {
            return Failed(CheckInStep.IdCard, read, "未读到身份证，请重新放置 / The card could not be read; place it again");
        }

        var card = read.Value!;
        var roster = _sessionRoster ?? _roster;
        if (!roster.IsLoaded)
        {
            await RaiseAlertAsync("noRoster", "medium", "a person presented an ID card, but this kiosk has not received its roster from the platform", ct).ConfigureAwait(false);
            MoveTo(SessionState.Halted);
            return Outcome(StepResult.Rejected, "本机尚未收到报到名单，请联系工作人员 / This kiosk cannot take check-ins yet; please see staff");
        }

        var person = roster.Find(card.IdNumber);
        if (person is null)
        {
            await RaiseAlertAsync("unknownPerson", "medium", $"ID card ending {Last4(card.IdNumber)} is not on this kiosk's roster", ct).ConfigureAwait(false);
            MoveTo(SessionState.Halted);
            return Outcome(StepResult.Rejected, "未找到您的报到信息，请联系工作人员 / You are not registered here; please see staff");
        }

        if (_sessionPolicy is { } platform)
        {
            // The platform's policy: an unknown level gets the most demanding one it defines, as configuration's does.
            _level = platform.Levels.ContainsKey(person.SupervisionLevel) ? person.SupervisionLevel : platform.Levels.MaxBy(l => l.Value.Steps.Count).Key;
            _levelPolicy = platform.Levels[_level];
            _policy = _levelPolicy.Steps;
            _faceAttempts = _levelPolicy.FaceAttempts;
        }
        else
        {
            var levels = _options.EffectiveLevels;
            _level = levels.ContainsKey(person.SupervisionLevel) ? person.SupervisionLevel : levels.MaxBy(l => l.Value.Count).Key;
            _policy = levels[_level];
        }

        _evidence!.Identify(card, person);
        _evidence.StepDone(CheckInStep.IdCard, _timeProvider.GetUtcNow(), new JsonObject { ["cardValidUntil"] = card.ValidUntil?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "long-term" });
        await PrepareConsentAsync(person.PersonId, ct).ConfigureAwait(false);
        return Completed("身份证已读取 / ID card read");
    }, cancellationToken);

    public Task<StepOutcome> VerifyFaceAsync(CancellationToken cancellationToken) => RunStepAsync(CheckInStep.Face, async ct =>
    {
        // Drawn afresh for every attempt, so a recording made for one attempt does not answer the next.
        var challenge = SessionActivities.Draw(_levelPolicy?.Challenge ?? LivenessChallenge.None);
        if (challenge != FaceChallenge.None)
        {
            ReportActivity(SessionActivities.Challenge(challenge));
        }

        var request = new FaceCaptureRequest { Timeout = _options.StepTimeout, Challenge = challenge, Preview = new InlineProgress<FacePreview>(p => ReportActivity(SessionActivities.Face(p, challenge))) };
        var capture = await WithClaimAsync(_devices.FaceCamera, claim => _devices.FaceCamera.CaptureFaceAsync(claim, request, ct), ct).ConfigureAwait(false);
        if (!capture.IsSuccess)
        {
            return Failed(CheckInStep.Face, capture, "请正对摄像头 / Please face the camera");
        }

        var face = capture.Value!;
        var person = _evidence!.Person!;
        var match = await _devices.FaceMatcher.MatchAsync(face, person.EnrolledPhoto, ct).ConfigureAwait(false);
        // With a challenge, liveness is the challenge done; a camera that did not answer it (no outcome) has not seen it done.
        var outcome = face.Quality.Challenge;
        var live = challenge == FaceChallenge.None ? face.Quality.LivenessPassed : outcome is { Done: true } && outcome.Asked == challenge;
        var detail = new JsonObject
        {
            ["score"] = Math.Round(match.Score, 4),
            ["threshold"] = match.Threshold,
            ["method"] = match.Method,
            ["quality"] = face.Quality.Score,
            ["faceWidth"] = face.Quality.FaceWidth,
            ["eyeDistance"] = face.Quality.EyeDistance,
            ["liveness"] = live,
        };
        if (challenge != FaceChallenge.None)
        {
            detail["challenge"] = SessionActivities.ChallengeDetail(challenge, outcome);
        }

        // Under a platform policy that says liveness blocks, a face the camera judged not live is a failed attempt; one that
        // says flag records it. Without a platform policy the liveness result is only recorded, as before.
        var livenessFailed = !live;
        if (livenessFailed && _levelPolicy is { LivenessBlocks: false })
        {
            detail["livenessFlagged"] = true;
        }

        var blockedByLiveness = livenessFailed && _levelPolicy is { LivenessBlocks: true };
        if (blockedByLiveness)
        {
            _evidence.LivenessFailures++;
        }

        if (challenge != FaceChallenge.None && _evidence.LivenessFailures > 0)
        {
            // Earlier attempts whose challenge was not done: the platform sees a pass that needed several tries.
            detail["failedChallenges"] = _evidence.LivenessFailures;
        }

        if (!match.IsMatch || blockedByLiveness)
        {
            _evidence.FaceFailures++;
            if (_evidence.FaceFailures < _faceAttempts)
            {
                return Outcome(StepResult.Retry, blockedByLiveness && match.IsMatch && challenge != FaceChallenge.None
                    ? "未看到所要求的动作，请按提示再试一次 / The action asked for was not seen; please try again as the screen says"
                    : "未能确认身份，请再试一次 / We could not confirm it is you; please try again");
            }

            var why = blockedByLiveness && match.IsMatch
                ? challenge == FaceChallenge.None
                    ? $"face failed the liveness check after {_evidence.FaceFailures} attempts"
                    : $"face failed the liveness challenge after {_evidence.FaceFailures} attempts (last asked: {SessionActivities.WireName(challenge)}; {outcome?.Reason ?? "the camera gave no challenge outcome"})"
                : $"face did not match the enrolled photo after {_evidence.FaceFailures} attempts (score {match.Score:0.00} < {match.Threshold:0.00})";
            await RaiseAlertAsync(blockedByLiveness && match.IsMatch ? "livenessFailed" : "faceMismatch", "high", why, ct).ConfigureAwait(false);
            MoveTo(SessionState.Halted);
            return Outcome(StepResult.Rejected, "身份核验未通过，请联系工作人员 / Verification failed; please see staff");
        }

        _evidence.Attach("face", face.Image.ContentType, face.Image.Data, biometric: true);
        _evidence.Facts["faceMatch"] = detail;
        _evidence.StepDone(CheckInStep.Face, _timeProvider.GetUtcNow(), (JsonObject)detail.DeepClone());
        return Completed("人脸核验通过 / Face verified");
    }, cancellationToken);

    public Task<StepOutcome> VerifyFingerprintAsync(CancellationToken cancellationToken) => RunStepAsync(CheckInStep.Fingerprint, async ct =>
    {
        var capture = await WithClaimAsync(_devices.FingerprintReader, claim => _devices.FingerprintReader.CaptureFingerprintAsync(claim, new FingerprintRequest { Timeout = _options.StepTimeout }, ct), ct).ConfigureAwait(false);
        if (!capture.IsSuccess)
        {
            return Failed(CheckInStep.Fingerprint, capture, "请将手指放在指纹仪上 / Place your finger on the reader");
        }

        var print = capture.Value!;
        // The ISO/IEC 19794-4 record, not the bare PNG: what an AFIS takes, with resolution and finger in its header.
        // A device's own template format is not kept (see drivers/Kiosk.Devices.FingerprintReader/README.md). A device
        // that breaks the HAL contract and brings no record still has its image kept, under the image's own type.
        var (contentType, data) = print.ImageRecord.IsEmpty ? (print.Image.ContentType, print.Image.Data) : (FingerImageRecord.ContentType, print.ImageRecord);
        _evidence!.Attach("fingerprint", contentType, data, biometric: true);
        if (!print.MinutiaeRecord.IsEmpty)
        {
            _evidence.Attach("fingerprint-minutiae", "application/vnd.iso.19794-2", print.MinutiaeRecord, biometric: true);
        }

        _evidence.StepDone(CheckInStep.Fingerprint, _timeProvider.GetUtcNow(), new JsonObject { ["quality"] = print.Quality, ["finger"] = print.Finger.ToString() });
        return Completed("指纹已采集 / Fingerprint taken");
    }, cancellationToken);

    /// <summary>The periodic report's answers (question id → answer) as the screen collected them.</summary>
    public Task<StepOutcome> SubmitReportAsync(IReadOnlyDictionary<string, string> answers, CancellationToken cancellationToken) => RunStepAsync(CheckInStep.ReportAnswers, _ =>
    {
        ArgumentNullException.ThrowIfNull(answers);
        if (_levelPolicy is { } level && CheckAnswers(level.Questions, answers) is { } problem)
        {
            return Task.FromResult(Outcome(StepResult.Retry, problem));
        }

        var report = new JsonObject();
        foreach (var (question, answer) in answers)
        {
            report[question] = answer;
        }

        _evidence!.Facts["report"] = report;
        _evidence.StepDone(CheckInStep.ReportAnswers, _timeProvider.GetUtcNow());
        return Task.FromResult(Completed("报告已提交 / Report submitted"));
    }, cancellationToken);

    public Task<StepOutcome> RecordSpokenReportAsync(CancellationToken cancellationToken) => RunStepAsync(CheckInStep.SpokenReport, async ct =>
    {
        var limit = _options.SpokenReportTimeout;
        using var finish = new CancellationTokenSource();
        Volatile.Write(ref _finishRecording, finish);
        var request = new AudioRecordRequest { MaxDuration = limit, Finish = finish.Token, Levels = new InlineProgress<AudioLevel>(l => ReportActivity(SessionActivities.Level(l, limit))) };
        DeviceResult<AudioClip> clip;
        try
        {
            clip = await WithClaimAsync(_devices.AudioRecorder, claim => _devices.AudioRecorder.RecordAsync(claim, request, ct), ct).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.CompareExchange(ref _finishRecording, null, finish);
        }
        if (!clip.IsSuccess)
        {
            return Failed(CheckInStep.SpokenReport, clip, "没有听到声音，请靠近话筒再说一次 / We heard nothing; please speak closer to the microphone");
        }

        _evidence!.Attach("spoken-report", "audio/wav", clip.Value!.Wav, biometric: true);
        _evidence.StepDone(CheckInStep.SpokenReport, _timeProvider.GetUtcNow(), new JsonObject { ["seconds"] = Math.Round(clip.Value.Duration.TotalSeconds, 2), ["speechSeconds"] = Math.Round(clip.Value.Speech.TotalSeconds, 2) });
        return Completed("口头汇报已录制 / Spoken report recorded");
    }, cancellationToken);

    /// <summary>
    /// The person pressed "I'm done" during the spoken report: the recording ends now and keeps what was said. False when no
    /// recording is running (the press came too late, or before the step).
    /// </summary>
    public bool FinishSpokenReport()
    {
        var finish = Volatile.Read(ref _finishRecording);
        if (finish is null)
        {
            return false;
        }

        try
        {
            finish.Cancel();
            return true;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    public Task<StepOutcome> SignAsync(CancellationToken cancellationToken) => RunStepAsync(CheckInStep.Signature, async ct =>
    {
        var pen = new PenEcho(_timeProvider, ReportActivity);
        DeviceResult<SignatureCapture> signed;
        try
        {
            signed = await WithClaimAsync(_devices.SignaturePad, claim => _devices.SignaturePad.CaptureSignatureAsync(claim, new SignatureRequest { Timeout = _options.StepTimeout, Pen = pen }, ct), ct).ConfigureAwait(false);
        }
        finally
        {
            pen.Flush();
        }

        if (!signed.IsSuccess)
        {
            return Failed(CheckInStep.Signature, signed, "请在签名板上签名 / Please sign on the pad");
        }

        var signature = signed.Value!;
        _evidence!.Attach("signature", "application/vnd.kiosk.signature+json", CheckInEvidence.ToJsonBytes(CheckInEvidence.SignatureChannels(signature)), biometric: true);
        if (signature.Rendering is { } rendering)
        {
            _evidence.Attach("signature-image", rendering.ContentType, rendering.Data, biometric: true);
        }

        _evidence.StepDone(CheckInStep.Signature, _timeProvider.GetUtcNow(), new JsonObject { ["samples"] = signature.Samples.Count });
        return Completed("签名完成 / Signed");
    }, cancellationToken);

    private async Task<StepOutcome> RunStepAsync(CheckInStep step, Func<CancellationToken, Task<StepOutcome>> body, CancellationToken cancellationToken)
    {
        if (!await _gate.WaitAsync(0, cancellationToken).ConfigureAwait(false))
        {
            return Outcome(StepResult.Busy, "请稍候 / Please wait");
        }

        try
        {
            if (NextStep != step)
            {
                return Outcome(StepResult.OutOfOrder, $"现在不能进行此步骤 / '{step.WireName()}' is not the next step");
            }

            if (step.CaptureOf() is not null && ConsentPending)
            {
                // NextStep is null until consent is given; this holds the rule should the order of steps ever change.
                return Outcome(StepResult.OutOfOrder, "请先确认采集说明 / Please answer the consent question first");
            }

            _idleTimer.Change(_options.IdleTimeout, Timeout.InfiniteTimeSpan);
            return await body(cancellationToken).ConfigureAwait(false);
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

    private StepOutcome Completed(string message)
    {
        _nextStepIndex++;
        MoveTo(ConsentPending ? SessionState.Consent : StateAfterConsent());
        return Outcome(StepResult.Completed, message);
    }

    private StepOutcome Failed<T>(CheckInStep step, DeviceResult<T> result, string retryMessage)
    {
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            LogStepFailed(_logger, step.WireName(), result.Code, Redact.Credentials(result.Description));
        }
        return result.Code switch
        {
            CompletionCode.Timeout => Outcome(StepResult.TimedOut, "操作超时 / Timed out; " + retryMessage),
            CompletionCode.Canceled => Outcome(StepResult.Canceled, "已取消 / Canceled"),
            CompletionCode.NoMedia or CompletionCode.UserError or CompletionCode.InvalidData => Outcome(StepResult.Retry, retryMessage),
            _ => Outcome(StepResult.DeviceFailed, "设备故障，请重试或联系工作人员 / The device failed; try again or call staff"),
        };
    }

    private static async Task<DeviceResult<T>> WithClaimAsync<T>(IDevice device, Func<DeviceClaim, Task<DeviceResult<T>>> operation, CancellationToken cancellationToken)
    {
        var claim = await device.ClaimAsync(ClaimOwner, ClaimWait, cancellationToken).ConfigureAwait(false);
        if (!claim.IsSuccess)
        {
            return claim.As<T>();
        }

        using (claim.Value!)
        {
            return await operation(claim.Value!).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Null when <paramref name="answers"/> answer every required question, each as its type asks and, where the question
    /// has choices, with one of their values; otherwise the screen's message.
    /// </summary>
    internal static string? CheckAnswers(IReadOnlyList<ReportQuestion> questions, IReadOnlyDictionary<string, string> answers)
    {
        foreach (var id in answers.Keys)
        {
            if (!questions.Any(q => q.Id == id))
            {
                return $"没有这个问题 / There is no question '{id}'";
            }
        }

        foreach (var question in questions)
        {
            var answer = answers.GetValueOrDefault(question.Id)?.Trim();
            if (string.IsNullOrEmpty(answer))
            {
                if (question.Required)
                {
                    return $"请回答：{question.TextZh} / Please answer: {question.TextEn}";
                }

                continue;
            }

            var fits = question.AnswerType switch
            {
                AnswerType.YesNo => answer is "yes" or "no",
                AnswerType.Number => decimal.TryParse(answer, NumberStyles.Number, CultureInfo.InvariantCulture, out _),
                AnswerType.Date => DateOnly.TryParseExact(answer, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
                _ => answer.Length <= 500,
            };
            if (!fits)
            {
                var expected = question.AnswerType switch
                {
                    AnswerType.YesNo => "请选择是或否 / answer yes or no",
                    AnswerType.Number => "请填写数字 / give a number",
                    AnswerType.Date => "请填写日期 yyyy-MM-dd / give a date as yyyy-MM-dd",
                    _ => "回答过长 / the answer is too long (500 characters at most)",
                };
                return $"{question.TextZh} / {question.TextEn}: {expected}";
            }

            if (question.Choices.Count > 0 && !question.Choices.Any(c => c.Value == answer))
            {
                return $"{question.TextZh} / {question.TextEn}: 请从选项中选择 / choose one of the options";
            }
        }

        return null;
    }

    private static string Last4(string idNumber) => idNumber.Length >= 4 ? idNumber[^4..] : "?";
}
