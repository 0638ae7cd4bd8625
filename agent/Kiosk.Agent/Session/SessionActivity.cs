using System.Globalization;
using System.Text.Json.Nodes;
using Kiosk.Devices;

namespace Kiosk.Agent.Session;

/// <summary>
/// Something a running step shows the person live and nothing keeps: the face camera's preview frames with the face box and
/// a hint (<c>face</c>), the microphone's level (<c>level</c>), the pen's samples (<c>pen</c>). The screen receives them as
/// <c>event: activity</c> on <c>/api/session/events</c>; they are never stored, logged or put in a record.
/// </summary>
/// <param name="Kind">face, level or pen.</param>
/// <param name="Data">What the screen draws (see <see cref="SessionActivities"/> for each kind's fields).</param>
public sealed record SessionActivity(string Kind, JsonObject Data);

/// <summary>The activities' shapes, one place for the session and its tests.</summary>
public static class SessionActivities
{
    /// <summary><c>face</c>: <c>frame</c> (a data: URL), <c>width</c>, <c>height</c>, <c>box</c> ({x, y, width, height} or null), <c>hint</c>.</summary>
    public static SessionActivity Face(FacePreview preview)
    {
        ArgumentNullException.ThrowIfNull(preview);
        var frame = preview.Frame;
        return new("face", new JsonObject
        {
            ["frame"] = $"data:{frame.ContentType};base64,{Convert.ToBase64String(frame.Data.Span)}",
            ["width"] = frame.Width,
            ["height"] = frame.Height,
            ["box"] = preview.Face is { } box ? new JsonObject { ["x"] = box.X, ["y"] = box.Y, ["width"] = box.Width, ["height"] = box.Height } : null,
            ["hint"] = WireName(preview.Hint),
        });
    }

    /// <summary><c>level</c>: <c>elapsedMs</c>, <c>maxMs</c> (the recording's limit, for a countdown), <c>level</c> 0..1, <c>speech</c>.</summary>
    public static SessionActivity Level(AudioLevel level, TimeSpan maxDuration) => new("level", new JsonObject
    {
        ["elapsedMs"] = (long)level.Elapsed.TotalMilliseconds,
        ["maxMs"] = (long)maxDuration.TotalMilliseconds,
        ["level"] = Math.Round(Math.Clamp(level.Level, 0, 1), 3),
        ["speech"] = level.Speech,
    });

    /// <summary><c>pen</c>: <c>x</c>, <c>y</c>, <c>t</c>, <c>pressure</c>, <c>penDown</c>, and the pad's <c>width</c> and <c>height</c>.</summary>
    public static SessionActivity Pen(PenProgress pen) => new("pen", new JsonObject
    {
        ["x"] = pen.Sample.X,
        ["y"] = pen.Sample.Y,
        ["t"] = pen.Sample.T,
        ["pressure"] = pen.Sample.Pressure,
        ["penDown"] = pen.Sample.PenDown,
        ["width"] = pen.Width,
        ["height"] = pen.Height,
    });

    /// <summary>A hint's wire name: holdStill, noFace, oneFaceOnly, moveCloser, moveBack, moreLight, lookAtCamera.</summary>
    public static string WireName(FaceHint hint)
    {
        var name = hint.ToString();
        return char.ToLowerInvariant(name[0]).ToString(CultureInfo.InvariantCulture) + name[1..];
    }
}

/// <summary>An <see cref="IProgress{T}"/> that reports on the caller's thread, in order (<see cref="Progress{T}"/> posts to the thread pool and may reorder).</summary>
internal sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
