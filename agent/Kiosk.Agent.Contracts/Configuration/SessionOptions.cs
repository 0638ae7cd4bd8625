namespace Kiosk.Agent.Configuration;

/// <summary>
/// Configuration section <c>Kiosk:Session</c>: the steps each supervision level requires and the time allowed.
/// The platform sends the same policy with the roster; configuration is the site's default.
/// </summary>
public sealed class SessionOptions
{
    /// <summary>Steps per supervision level, in the order the person does them. Every level starts with IdCard.</summary>
    /// <remarks>Empty means <see cref="DefaultLevels"/>: configuration binding appends to pre-filled lists, so defaults live apart.</remarks>
    public Dictionary<string, List<CheckInStep>> Levels { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public static IReadOnlyDictionary<string, List<CheckInStep>> DefaultLevels { get; } = new Dictionary<string, List<CheckInStep>>(StringComparer.OrdinalIgnoreCase)
    {
        ["normal"] = [CheckInStep.IdCard, CheckInStep.Face, CheckInStep.ReportAnswers, CheckInStep.Signature],
        ["strict"] = [CheckInStep.IdCard, CheckInStep.Face, CheckInStep.Fingerprint, CheckInStep.ReportAnswers, CheckInStep.SpokenReport, CheckInStep.DocumentScan, CheckInStep.Signature],
    };

    public IReadOnlyDictionary<string, List<CheckInStep>> EffectiveLevels => Levels.Count == 0 ? DefaultLevels : Levels;

    /// <summary>Face comparisons allowed before the session halts with an alert.</summary>
    public int FaceAttempts { get; set; } = 2;

    /// <summary>Time a device step may take (ID card on the reader, face in view, signature written).</summary>
    public TimeSpan StepTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan SpokenReportTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>No step for this long: the session resets to Idle and wipes what it held.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The receipt stays on the screen this long, then the kiosk returns to its start for the next person (a person who
    /// presses Done goes back at once). From 00:00:01 to 00:10:00; an IdleTimeout shorter than it wins.
    /// </summary>
    public TimeSpan ReceiptTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>At most one "call staff" alert this often; further calls within it are told staff are already called.</summary>
    public TimeSpan CallStaffInterval { get; set; } = TimeSpan.FromSeconds(30);
}
