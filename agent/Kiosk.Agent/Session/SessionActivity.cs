using System.Globalization;
using System.Text.Json.Nodes;
using Kiosk.Devices;

namespace Kiosk.Agent.Session;

/// <summary>
/// Something a running step shows the person live and nothing keeps: the face camera's preview frames with the face box and
/// a hint (<c>face</c>), what a liveness challenge asks the person to do (<c>challenge</c>), the microphone's level (<c>level</c>), the pen's samples (<c>pen</c>), thumbnails of the pages just
/// scanned (<c>pages</c>) and of the document the document camera just took (<c>document</c>). The screen receives them as <c>event: activity</c> on <c>/api/session/events</c>; they are never
/// stored, logged or put in a record.
/// </summary>
/// <param name="Kind">face, challenge, level, pen, pages or document.</param>
/// <param name="Data">What the screen draws (see <see cref="SessionActivities"/> for each kind's fields).</param>
public sealed record SessionActivity(string Kind, JsonObject Data);

/// <summary>The activities' shapes, one place for the session and its tests.</summary>
public static class SessionActivities
{
    /// <summary>
    /// <c>face</c>: <c>frame</c> (a data: URL), <c>width</c>, <c>height</c>, <c>box</c> ({x, y, width, height} or null), <c>hint</c>,
    /// and <c>challenge</c> (as <see cref="Challenge"/>'s) while one is asked, so a screen that joins late still shows it.
    /// </summary>
    public static SessionActivity Face(FacePreview preview, FaceChallenge challenge = FaceChallenge.None)
    {
        ArgumentNullException.ThrowIfNull(preview);
        var frame = preview.Frame;
        var data = new JsonObject
        {
            ["frame"] = $"data:{frame.ContentType};base64,{Convert.ToBase64String(frame.Data.Span)}",
            ["width"] = frame.Width,
            ["height"] = frame.Height,
            ["box"] = preview.Face is { } box ? new JsonObject { ["x"] = box.X, ["y"] = box.Y, ["width"] = box.Width, ["height"] = box.Height } : null,
            ["hint"] = WireName(preview.Hint),
        };
        if (challenge != FaceChallenge.None)
        {
            data["challenge"] = WireName(challenge);
        }

        return new("face", data);
    }

    /// <summary>
    /// <c>challenge</c>: what the face step asks the person to do, sent as the step starts (before the camera looks):
    /// <c>challenge</c> (blink, turnLeft, turnRight: the person's own left and right) and <c>prompt</c>, the words in
    /// Chinese and English (the screen shows its own translation of <c>challenge</c>; the voice prompt is <see cref="PromptOf"/>).
    /// </summary>
    public static SessionActivity Challenge(FaceChallenge challenge) => new("challenge", new JsonObject
    {
        ["challenge"] = WireName(challenge),
        ["prompt"] = PromptTextOf(challenge),
    });

    /// <summary>The words of a challenge, Chinese then English.</summary>
    public static string PromptTextOf(FaceChallenge challenge) => challenge switch
    {
        FaceChallenge.Blink => "请眨眼 / Please blink",
        FaceChallenge.TurnLeft => "请向左转头 / Turn your head to the left",
        FaceChallenge.TurnRight => "请向右转头 / Turn your head to the right",
        _ => "",
    };

    /// <summary>The voice prompt of a challenge (deploy/prompts/zh-CN.tsv), or null for none.</summary>
    public static string? PromptOf(FaceChallenge challenge) => challenge switch
    {
        FaceChallenge.Blink => "challenge-blink",
        FaceChallenge.TurnLeft => "challenge-turn-left",
        FaceChallenge.TurnRight => "challenge-turn-right",
        _ => null,
    };

    /// <summary>
    /// The challenge of one attempt under <paramref name="policy"/>: a turn's side, and for <see cref="LivenessChallenge.Either"/>
    /// blink or turn, drawn from the system's cryptographic generator so neither a recording nor an observer can predict it.
    /// </summary>
    public static FaceChallenge Draw(LivenessChallenge policy) => policy switch
    {
        LivenessChallenge.Blink => FaceChallenge.Blink,
        LivenessChallenge.Turn => System.Security.Cryptography.RandomNumberGenerator.GetInt32(2) == 0 ? FaceChallenge.TurnLeft : FaceChallenge.TurnRight,
        LivenessChallenge.Either => (FaceChallenge)(1 + System.Security.Cryptography.RandomNumberGenerator.GetInt32(3)),
        _ => FaceChallenge.None,
    };

    /// <summary>
    /// The face step detail's <c>challenge</c>: <c>asked</c>, <c>done</c>, and what the camera measured (<c>reason</c>,
    /// <c>frames</c>, <c>frontalYawDegrees</c>, <c>turnYawDegrees</c>, <c>lowestEyeOpenness</c>, <c>blinks</c> where it gave them).
    /// </summary>
    public static JsonObject ChallengeDetail(FaceChallenge asked, FaceChallengeOutcome? outcome)
    {
        var detail = new JsonObject { ["asked"] = WireName(asked), ["done"] = outcome is { Done: true } && outcome.Asked == asked };
        if (outcome is null)
        {
            detail["reason"] = "the camera gave no challenge outcome";
            return detail;
        }

        if (outcome.Reason is { } reason)
        {
            detail["reason"] = reason;
        }

        detail["frames"] = outcome.Frames;
        if (outcome.FrontalYawDegrees is { } frontal)
        {
            detail["frontalYawDegrees"] = frontal;
        }

        if (outcome.TurnYawDegrees is { } turn)
        {
            detail["turnYawDegrees"] = turn;
        }

        if (outcome.LowestEyeOpenness is { } openness)
        {
            detail["lowestEyeOpenness"] = openness;
        }

        if (outcome.Blinks is { } blinks)
        {
            detail["blinks"] = blinks;
        }

        return detail;
    }

    /// <summary>A challenge's wire name: none, blink, turnLeft, turnRight.</summary>
    public static string WireName(FaceChallenge challenge) => LowerFirst(challenge.ToString());

    /// <summary><c>level</c>: <c>elapsedMs</c>, <c>maxMs</c> (the recording's limit, for a countdown), <c>level</c> 0..1, <c>speech</c>.</summary>
    public static SessionActivity Level(AudioLevel level, TimeSpan maxDuration) => new("level", new JsonObject
    {
        ["elapsedMs"] = (long)level.Elapsed.TotalMilliseconds,
        ["maxMs"] = (long)maxDuration.TotalMilliseconds,
        ["level"] = Math.Round(Math.Clamp(level.Level, 0, 1), 3),
        ["speech"] = level.Speech,
    });

    /// <summary>
    /// <c>pen</c>: a batch of the pen's samples in the order the pad reported them (<see cref="PenEcho"/> gathers them):
    /// <c>points</c>, each <c>[x, y, pressure, penDown (1 or 0)]</c> in the pad's units, and the pad's <c>width</c>,
    /// <c>height</c> and <c>maxPressure</c> (0 when unknown) to scale them.
    /// </summary>
    public static SessionActivity Pen(IReadOnlyList<PenProgress> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentOutOfRangeException.ThrowIfZero(batch.Count);
        var points = new JsonArray();
        foreach (var pen in batch)
        {
            var sample = pen.Sample;
            points.Add(new JsonArray(sample.X, sample.Y, sample.Pressure, sample.PenDown ? 1 : 0));
        }

        var last = batch[^1];
        return new("pen", new JsonObject
        {
            ["points"] = points,
            ["width"] = last.Width,
            ["height"] = last.Height,
            ["maxPressure"] = last.MaxPressure,
        });
    }

    /// <summary>Tallest thumbnail the scan step asks the scanner for (<see cref="ScanRequest.ThumbnailHeight"/>).</summary>
    public const int ThumbnailHeight = 240;

    /// <summary>
    /// Largest page image sent as its own thumbnail when the scanner made none: a page no taller than
    /// <see cref="ThumbnailHeight"/> and this small (a low-resolution scan, the simulated scanner's pages) is shown as it is.
    /// </summary>
    public const int MaxUnscaledThumbnailBytes = 64 * 1024;

    /// <summary>
    /// <c>pages</c>: what a scan took, for the person to see before going on: <c>count</c>, and <c>pages</c>, each with
    /// <c>sheet</c>, <c>side</c> (front or back), <c>image</c> (a data: URL of its thumbnail, or null when there is none
    /// small enough), <c>width</c> and <c>height</c> (the thumbnail's, or 0).
    /// </summary>
    public static SessionActivity Pages(IReadOnlyList<ScannedPage> pages)
    {
        ArgumentNullException.ThrowIfNull(pages);
        var list = new JsonArray();
        foreach (var page in pages)
        {
            var thumbnail = ThumbnailOf(page);
            list.Add(new JsonObject
            {
                ["sheet"] = page.Sheet,
                ["side"] = page.Side == PageSide.Front ? "front" : "back",
                ["image"] = thumbnail is null ? null : $"data:{thumbnail.ContentType};base64,{Convert.ToBase64String(thumbnail.Data.Span)}",
                ["width"] = thumbnail?.Width ?? 0,
                ["height"] = thumbnail?.Height ?? 0,
            });
        }

        return new("pages", new JsonObject { ["count"] = pages.Count, ["pages"] = list });
    }

    /// <summary>
    /// <c>document</c>: the page the document camera just took: <c>type</c> (the policy's document type), <c>textZh</c>,
    /// <c>textEn</c> (its name), <c>number</c> and <c>count</c> (this is document number of count), <c>image</c> (a data: URL
    /// of the corrected page's thumbnail, or null), <c>width</c> and <c>height</c> (the thumbnail's, or 0).
    /// </summary>
    public static SessionActivity Document(string type, int number, int count, DocumentPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var (zh, en) = DocumentTypeNames.Of(type);
        var thumbnail = page.Thumbnail is { Height: <= ThumbnailHeight } made ? made
            : page.Image is { Height: <= ThumbnailHeight } small && small.Data.Length <= MaxUnscaledThumbnailBytes ? small
            : null;
        return new("document", new JsonObject
        {
            ["type"] = type,
            ["textZh"] = zh,
            ["textEn"] = en,
            ["number"] = number,
            ["count"] = count,
            ["image"] = thumbnail is null ? null : $"data:{thumbnail.ContentType};base64,{Convert.ToBase64String(thumbnail.Data.Span)}",
            ["width"] = thumbnail?.Width ?? 0,
            ["height"] = thumbnail?.Height ?? 0,
        });
    }

    /// <summary>The scanner's thumbnail; else the page itself when it is already thumbnail-sized; else none.</summary>
    private static CapturedImage? ThumbnailOf(ScannedPage page) =>
        page.Thumbnail is { Height: <= ThumbnailHeight } made ? made
        : page.Image is { Height: <= ThumbnailHeight } small && small.Data.Length <= MaxUnscaledThumbnailBytes ? small
        : null;

    /// <summary>A hint's wire name: holdStill, noFace, oneFaceOnly, moveCloser, moveBack, moreLight, lookAtCamera.</summary>
    public static string WireName(FaceHint hint) => LowerFirst(hint.ToString());

    private static string LowerFirst(string name) => char.ToLowerInvariant(name[0]).ToString(CultureInfo.InvariantCulture) + name[1..];
}

/// <summary>An <see cref="IProgress{T}"/> that reports on the caller's thread, in order (<see cref="Progress{T}"/> posts to the thread pool and may reorder).</summary>
internal sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
