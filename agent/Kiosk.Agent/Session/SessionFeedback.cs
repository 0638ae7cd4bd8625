using System.Threading.Channels;
using Kiosk.Agent.Configuration;
using Kiosk.Agent.Devices;
using Kiosk.Devices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kiosk.Agent.Session;

/// <summary>How the kiosk's status lights show the session (<see cref="SessionFeedback"/>).</summary>
public enum KioskLook
{
    /// <summary>Idle: waiting for the next person (Ready on).</summary>
    Ready,

    /// <summary>A check-in is under way (Busy on).</summary>
    Working,

    /// <summary>The check-in is stored; the receipt is shown (Ready blinks fast).</summary>
    Success,

    /// <summary>Staff are needed: the session halted, the person chose staff over biometric capture, or called staff (Fault blinks).</summary>
    Attention,
}

/// <summary>
/// What the person hears and sees besides the screen: every new step of the check-in is spoken through the speaker from a
/// prompt rendered ahead of time (deploy/render-prompts.sh, <c>&lt;PromptFolder&gt;/&lt;name&gt;.wav</c>), and so is each
/// liveness challenge the face step asks for (its <c>challenge</c> activity), the status
/// lights follow the session (<see cref="KioskLook"/>), and the physical call button does what the screen's "call staff"
/// does (<see cref="CheckInSession.CallStaffAsync"/>).
/// Nothing here can break a check-in: the session's <see cref="CheckInSession.StateChanged"/> only queues a cue (it is
/// raised inside the session's step); one loop plays the cues in order, each device claimed for one cue. A kiosk without
/// a speaker, lights or sensors skips them; a missing prompt is logged once per name; any other device failure is logged
/// once until that device works again.
/// </summary>
public sealed partial class SessionFeedback : IHostedService, IAsyncDisposable
{
    internal const string ClaimOwner = "session feedback";
    private static readonly TimeSpan ClaimWait = TimeSpan.FromSeconds(2);

    private readonly CheckInSession _session;
    private readonly DeviceSet _devices;
    private readonly ILogger<SessionFeedback> _logger;
    private readonly Channel<Cue> _cues = Channel.CreateUnbounded<Cue>(new UnboundedChannelOptions { SingleReader = true });
    private readonly HashSet<string> _missingPrompts = new(StringComparer.Ordinal);
    private readonly HashSet<DeviceClass> _failing = [];
    private readonly Lock _lastLock = new();
    private readonly CancellationTokenSource _stopping = new();
    private Cue? _last;
    private Task? _loop;
    private int _callButtonBusy;
    private int _stopped;
    private int _disposed;

    public SessionFeedback(CheckInSession session, DeviceSet devices, ILogger<SessionFeedback> logger)
    {
        _session = session;
        _devices = devices;
        _logger = logger;
    }

    /// <summary>Raised after a cue has been played (or skipped) on every device: for tests and diagnostics.</summary>
    public event EventHandler<Cue>? CuePlayed;

    /// <summary>The prompt spoken when the session is in <paramref name="state"/> expecting <paramref name="nextStep"/>, or null for none.</summary>
    public static string? PromptFor(SessionState state, CheckInStep? nextStep) => nextStep switch
    {
        CheckInStep.IdCard => "step-id-card",
        CheckInStep.Face => "step-face",
        CheckInStep.Fingerprint => "step-fingerprint",
        CheckInStep.ReportAnswers => "step-report-answers",
        CheckInStep.SpokenReport => "step-spoken-report",
        CheckInStep.DocumentScan => "step-document-scan",
        CheckInStep.Signature => "step-signature",
        _ => state switch
        {
            SessionState.Consent => "consent",
            SessionState.StaffCheckIn => "staff-check-in",
            SessionState.Commit => "commit",
            SessionState.Receipt => "receipt",
            SessionState.Halted => "halted",
            _ => null,
        },
    };

    /// <summary>The prompt spoken when the call button was pressed.</summary>
    public const string CallStaffPrompt = "staff-called";

    /// <summary>Every prompt the agent may ask for (the render script must render each).</summary>
    public static IReadOnlyList<string> AllPrompts { get; } =
    [
        .. Enum.GetValues<CheckInStep>().Select(s => PromptFor(s.StateOf(), s)!),
        PromptFor(SessionState.Consent, null)!,
        PromptFor(SessionState.StaffCheckIn, null)!,
        PromptFor(SessionState.Commit, null)!,
        PromptFor(SessionState.Receipt, null)!,
        PromptFor(SessionState.Halted, null)!,
        CallStaffPrompt,
        .. new[] { FaceChallenge.Blink, FaceChallenge.TurnLeft, FaceChallenge.TurnRight }.Select(c => SessionActivities.PromptOf(c)!),
    ];

    public static KioskLook LookFor(SessionState state) => state switch
    {
        SessionState.Idle => KioskLook.Ready,
        SessionState.Receipt => KioskLook.Success,
        SessionState.Halted or SessionState.StaffCheckIn => KioskLook.Attention,
        _ => KioskLook.Working,
    };

    /// <summary>Subscribes to the session and the sensors and starts the loop that plays cues.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _session.StateChanged += OnStateChanged;
        _session.Activity += OnActivity;
        _devices.Sensors.Changed += OnSensorsChanged;
        _loop = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
        Enqueue(new Cue(LookFor(_session.State), null, _session.State, null));
        return Task.CompletedTask;
    }

    /// <summary>Unsubscribes and ends the loop (a cue being played is canceled). Safe to call more than once.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _session.StateChanged -= OnStateChanged;
        _session.Activity -= OnActivity;
        _devices.Sensors.Changed -= OnSensorsChanged;
        _cues.Writer.TryComplete();
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }

        if (_loop is { } loop)
        {
            await loop.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The host disposes this twice (as itself and as a hosted service): the second time does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>Raised inside the session's step (under its gate): only reads the session and queues.</summary>
    private void OnStateChanged(object? sender, SessionState state)
    {
        var next = _session.NextStep;
        Enqueue(new Cue(LookFor(state), PromptFor(state, next), state, next));
    }

    /// <summary>A liveness challenge is said aloud too (every attempt draws its own, so each is said).</summary>
    private void OnActivity(object? sender, SessionActivity activity)
    {
        if (activity.Kind == "challenge" && activity.Data["challenge"]?.GetValue<string>() is { } name
            && Enum.GetValues<FaceChallenge>().FirstOrDefault(c => SessionActivities.WireName(c) == name) is var challenge
            && SessionActivities.PromptOf(challenge) is { } prompt)
        {
            Enqueue(new Cue(LookFor(_session.State), prompt, _session.State, _session.NextStep), always: true);
        }
    }

    private void Enqueue(Cue cue, bool always = false)
    {
        lock (_lastLock)
        {
            // Reset from Idle to Idle, or a state raised again with the same step: nothing new to say or show.
            if (!always && cue.Prompt is not CallStaffPrompt && _last is { } last && last.State == cue.State && last.Step == cue.Step)
            {
                return;
            }

            _last = cue;
        }

        _cues.Writer.TryWrite(cue);
    }

    private void OnSensorsChanged(object? sender, SensorSnapshot snapshot)
    {
        if (!snapshot.CallButtonPressed || Volatile.Read(ref _stopped) == 1 || Interlocked.Exchange(ref _callButtonBusy, 1) == 1)
        {
            return;
        }

        CancellationToken stopping;
        try
        {
            stopping = _stopping.Token;
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await OnCallButtonAsync(stopping).ConfigureAwait(false);
            }
            finally
            {
                Volatile.Write(ref _callButtonBusy, 0);
            }
        }, CancellationToken.None);
    }

    /// <summary>
    /// The call button latches until read (both the GPIO and the simulated sensors): reading consumes the press, so one
    /// press is one call however many sensor changes carry it. A failed read still calls staff (the session limits how often).
    /// </summary>
    private async Task OnCallButtonAsync(CancellationToken cancellationToken)
    {
        try
        {
            var read = await _devices.Sensors.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (read.IsSuccess && !read.Value!.CallButtonPressed)
            {
                return;
            }

            var outcome = await _session.CallStaffAsync("呼叫按钮 / call button pressed", cancellationToken).ConfigureAwait(false);
            LogCallButton(_logger, outcome.Message);
            Enqueue(new Cue(KioskLook.Attention, CallStaffPrompt, _session.State, _session.NextStep));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogCallButtonFailed(_logger, ex.Message);
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var cue in _cues.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await ShowAsync(cue.Look, cancellationToken).ConfigureAwait(false);
                if (cue.Prompt is { } prompt)
                {
                    await SayAsync(prompt, cancellationToken).ConfigureAwait(false);
                }

                CuePlayed?.Invoke(this, cue);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task ShowAsync(KioskLook look, CancellationToken cancellationToken)
    {
        var (ready, busy, fault) = look switch
        {
            KioskLook.Ready => (IndicatorPattern.On, IndicatorPattern.Off, IndicatorPattern.Off),
            KioskLook.Working => (IndicatorPattern.Off, IndicatorPattern.On, IndicatorPattern.Off),
            KioskLook.Success => (IndicatorPattern.FastBlink, IndicatorPattern.Off, IndicatorPattern.Off),
            _ => (IndicatorPattern.Off, IndicatorPattern.Off, IndicatorPattern.SlowBlink),
        };
        var indicators = _devices.Indicators;
        await WithDeviceAsync(indicators, async claim =>
        {
            foreach (var (indicator, pattern) in new[] { (Indicator.Ready, ready), (Indicator.Busy, busy), (Indicator.Fault, fault) })
            {
                var set = await indicators.SetAsync(claim, indicator, pattern, cancellationToken).ConfigureAwait(false);
                if (!set.IsSuccess)
                {
                    return set;
                }
            }

            return DeviceResult<Done>.Success(default);
        }, cancellationToken).ConfigureAwait(false);
    }

    private async Task SayAsync(string prompt, CancellationToken cancellationToken)
    {
        var player = _devices.AudioPlayer;
        var played = await WithDeviceAsync(player, claim => player.PlayAsync(claim, new AudioPrompt(prompt), cancellationToken), cancellationToken).ConfigureAwait(false);
        if (played is { IsSuccess: false, DeviceError: "promptNotFound" } && _missingPrompts.Add(prompt))
        {
            LogPromptMissing(_logger, prompt, played.Description);
        }
    }

    /// <summary>Runs one operation on <paramref name="device"/> under a claim; null when the kiosk has no such device. Never throws but for cancellation.</summary>
    private async Task<DeviceResult<Done>?> WithDeviceAsync(IDevice device, Func<DeviceClaim, Task<DeviceResult<Done>>> operation, CancellationToken cancellationToken)
    {
        if (device is UnavailableDevice { IsFitted: false })
        {
            return null;
        }

        DeviceResult<Done> result;
        try
        {
            var claim = await device.ClaimAsync(ClaimOwner, ClaimWait, cancellationToken).ConfigureAwait(false);
            if (!claim.IsSuccess)
            {
                result = claim.As<Done>();
            }
            else
            {
                using (claim.Value!)
                {
                    result = await operation(claim.Value!).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            result = DeviceResult<Done>.Failure(CompletionCode.HardwareError, ex.Message);
        }

        if (result.IsSuccess)
        {
            _failing.Remove(device.DeviceClass);
        }
        else if (result.DeviceError != "promptNotFound" && _failing.Add(device.DeviceClass))
        {
            LogDeviceFailed(_logger, device.Name, result.ToString());
        }

        return result;
    }

    /// <summary>One thing to show and say: the look of the lights, the prompt (or none), and the session's place it is for.</summary>
    public sealed record Cue(KioskLook Look, string? Prompt, SessionState State, CheckInStep? Step);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Voice prompt '{Prompt}' is missing ({Description}); the session goes on without it (render prompts with deploy/render-prompts.sh)")]
    private static partial void LogPromptMissing(ILogger logger, string prompt, string description);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Session feedback on {Device} failed: {Result}; the check-in goes on (logged again only after it works)")]
    private static partial void LogDeviceFailed(ILogger logger, string device, string result);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Information, Message = "Call button pressed: {Message}")]
    private static partial void LogCallButton(ILogger logger, string message);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Warning, Message = "Call button press could not call staff: {Error}")]
    private static partial void LogCallButtonFailed(ILogger logger, string error);
}
