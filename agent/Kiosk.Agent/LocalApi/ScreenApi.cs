using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Kiosk.Agent.Configuration;
using Kiosk.Agent.Control;
using Kiosk.Agent.Devices;
using Kiosk.Agent.Outbox;
using Kiosk.Agent.Session;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Kiosk.Devices;

namespace Kiosk.Agent.LocalApi;

/// <summary>
/// The kiosk screen on the local API: its pages (plain HTML/CSS/JS embedded in the agent) at <c>/screen/</c>, opened with a
/// one-time code (<see cref="ScreenAccess"/>); <c>POST /api/screen/codes</c> (token only) issues one;
/// <c>GET /api/screen/status</c> says whether the kiosk can take a check-in now; <c>GET /api/session/events</c> pushes the
/// session's view (server-sent events) on every change, so the page never polls. The screen drives the session through
/// <see cref="SessionApi"/>. Nothing here carries a name or an ID number. <c>/screen/pinyin.json</c>, the on-screen
/// keyboard's pinyin table, is a file of the installed package (<see cref="PinyinTableFile"/>), not an embedded asset.
/// </summary>
internal sealed partial class ScreenApi(
    CheckInSession session,
    ScreenAccess access,
    IRoster roster,
    OutboxStore outbox,
    DeviceSet devices,
    PlatformKeyRing keyRing,
    PolicyStore policies,
    IOptions<Kiosk.Agent.Configuration.SessionOptions> sessionOptions,
    TimeProvider timeProvider,
    IOptions<KioskOptions> kiosk,
    IConfiguration configuration,
    ILogger<ScreenApi> logger) : ILocalApiModule
{
    /// <summary>A device may report <see cref="DeviceStatus.Starting"/> this long after start before the screen counts it as missing.</summary>
    private static readonly TimeSpan StartingGrace = TimeSpan.FromMinutes(1);

    private readonly long _startedTimestamp = timeProvider.GetTimestamp();

    /// <summary>The server re-checks availability (roster, storage) this often while a screen listens, and sends a keep-alive.</summary>
    private static readonly TimeSpan Recheck = TimeSpan.FromSeconds(15);

    /// <summary>Live activity a page may lag behind by before the oldest is dropped (a few seconds of preview frames or pen samples).</summary>
    private const int ActivityBacklog = 256;

    private static readonly Dictionary<string, string> Assets = new(StringComparer.Ordinal)
    {
        ["index.html"] = "text/html; charset=utf-8",
        ["screen.css"] = "text/css; charset=utf-8",
        ["screen.js"] = "text/javascript; charset=utf-8",
        ["keyboard.css"] = "text/css; charset=utf-8",
        ["keyboard.js"] = "text/javascript; charset=utf-8",
    };

    private const string ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>1 once a missing or unreadable pinyin table was logged: each page load asks for it, the journal hears it once.</summary>
    private int _pinyinTableMissingLogged;

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/screen", OpenScreen);
        routes.MapGet("/screen/{file}", (string file, HttpContext context) => Asset(file, context));
        routes.MapPost("/api/screen/codes", (HttpContext context) =>
        {
            var code = access.IssueCode();
            var url = $"{context.Request.Scheme}://{context.Request.Host}/screen/?code={code}";
            return Results.Json(new ScreenCode(code, url, (int)ScreenAccess.CodeLifetime.TotalSeconds), LocalApiJson.Options);
        });
        routes.MapGet("/api/screen/status", () => Results.Json(Availability(), LocalApiJson.Options));
        routes.MapGet("/api/session/events", EventsAsync);
    }

    private IResult OpenScreen(HttpContext context)
    {
        if (context.Request.Query.TryGetValue("code", out var code))
        {
            if (access.Redeem(code.Count == 1 ? code[0] : null) is not { } cookie)
            {
                context.Response.Headers.WWWAuthenticate = LocalApiToken.Scheme;
                return Results.Content(
                    "<!doctype html><meta charset=utf-8><title>401</title><p lang=zh-CN>此链接已使用或已过期，请联系工作人员。</p><p lang=en>This link has been used or has expired; please see staff.</p>",
                    "text/html; charset=utf-8", Encoding.UTF8, StatusCodes.Status401Unauthorized);
            }

            context.Response.Cookies.Append(ScreenAccess.CookieName, cookie, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Path = "/",
                IsEssential = true,
            });
            // The code leaves the address bar (and the history) at once.
            return Results.Redirect("/screen/", permanent: false);
        }

        return Asset("index.html", context);
    }

    private IResult Asset(string file, HttpContext context)
    {
        if (file == PinyinTableFile.AssetName)
        {
            return PinyinTable(context);
        }

        if (!Assets.TryGetValue(file, out var contentType))
        {
            return Results.NotFound();
        }

        var stream = typeof(ScreenApi).Assembly.GetManifestResourceStream("screen/" + file);
        if (stream is null)
        {
            return Results.NotFound();
        }

        SecurityHeaders(context);
        return Results.Stream(stream, contentType);
    }

    /// <summary>The keyboard's pinyin table from disk; 404 (the screen then offers letters and digits only) when there is none.</summary>
    private IResult PinyinTable(HttpContext context)
    {
        var path = PinyinTableFile.PathOf(configuration);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogPinyinTableOnce(path, ex is FileNotFoundException or DirectoryNotFoundException ? "it is missing" : ex.Message);
            return Results.NotFound();
        }

        if (stream.Length > PinyinTableFile.MaxBytes)
        {
            stream.Dispose();
            LogPinyinTableOnce(path, $"it is larger than {PinyinTableFile.MaxBytes} bytes, so it is not a pinyin table");
            return Results.NotFound();
        }

        SecurityHeaders(context);
        return Results.Stream(stream, "application/json; charset=utf-8");
    }

    private void LogPinyinTableOnce(string path, string problem)
    {
        if (Interlocked.Exchange(ref _pinyinTableMissingLogged, 1) == 0)
        {
            LogPinyinTableUnavailable(logger, path, problem);
        }
    }

    private static void SecurityHeaders(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
    }

    private ScreenAvailability Availability()
    {
        var reasons = new List<string>();
        if (keyRing.Problem is not null && keyRing.AcceptedKeyIds(timeProvider.GetUtcNow()).Count == 0)
        {
            // Without the platform's key nothing it sends (roster, acks) can be trusted: the kiosk is not enrolled yet.
            reasons.Add("notEnrolled");
        }

        if (!roster.IsLoaded)
        {
            reasons.Add("noRoster");
        }

        var usage = outbox.Usage;
        if (usage.BudgetBytes > 0 && usage.UsedBytes >= usage.BudgetBytes)
        {
            reasons.Add("storageFull");
        }

        var missing = MissingDevices();
        if (missing.Count > 0)
        {
            reasons.Add("deviceUnavailable");
        }

        var screen = kiosk.Value.Screen;
        return new ScreenAvailability(reasons.Count == 0, reasons, string.IsNullOrWhiteSpace(screen.OfficeName) ? null : screen.OfficeName.Trim())
        {
            Devices = missing,
            BlankAfterSeconds = (int)screen.BlankAfter.TotalSeconds,
        };
    }

    /// <summary>
    /// The device classes (camelCase) that every supervision level's steps need and that cannot work now. A device only some
    /// levels need does not close the kiosk: the people of the other levels can still check in, and a person whose step
    /// fails is told to call staff there.
    /// </summary>
    private List<string> MissingDevices()
    {
        IEnumerable<IReadOnlyList<CheckInStep>> levels = policies.Current is { } policy
            ? policy.Levels.Values.Select(l => l.Steps)
            : sessionOptions.Value.EffectiveLevels.Values;
        HashSet<DeviceClass>? needed = null;
        // Typed documents (a platform policy's documentScan always names types) go to the document camera when one is
        // fitted, as the session takes them; otherwise to the scanner.
        var camera = policies.Current is not null && devices.Get(DeviceClass.DocumentCamera) is not Kiosk.Agent.Devices.UnavailableDevice { IsFitted: false };
        foreach (var steps in levels)
        {
            var classes = steps.Select(s => s == CheckInStep.DocumentScan && camera ? DeviceClass.DocumentCamera : DeviceFor(s)).OfType<DeviceClass>().ToHashSet();
            if (needed is null)
            {
                needed = classes;
            }
            else
            {
                needed.IntersectWith(classes);
            }
        }

        // The ID card comes first at every level, whatever the policy says.
        (needed ??= []).Add(DeviceClass.IdCardReader);
        var uptime = timeProvider.GetElapsedTime(_startedTimestamp);
        return [.. needed.Order()
            .Where(c => !Usable(devices.Get(c).Status, uptime))
            .Select(c => JsonNamingPolicy.CamelCase.ConvertName(c.ToString()))];
    }

    internal static DeviceClass? DeviceFor(CheckInStep step) => step switch
    {
        CheckInStep.IdCard => DeviceClass.IdCardReader,
        CheckInStep.Face => DeviceClass.FaceCamera,
        CheckInStep.Fingerprint => DeviceClass.FingerprintReader,
        CheckInStep.SpokenReport => DeviceClass.AudioRecorder,
        CheckInStep.DocumentScan => DeviceClass.DocumentScanner,
        CheckInStep.Signature => DeviceClass.SignaturePad,
        _ => null,
    };

    /// <summary>Online, busy, or waiting for the person (a card left on the reader); starting only just after the agent started.</summary>
    private static bool Usable(DeviceStatus status, TimeSpan uptime) =>
        status is DeviceStatus.Online or DeviceStatus.Busy or DeviceStatus.UserError || (status == DeviceStatus.Starting && uptime < StartingGrace);

    /// <summary>
    /// The screen's one stream: <c>data:</c> the session's view whenever it changes (and a keep-alive every
    /// <see cref="Recheck"/>), and <c>event: activity</c> for what a running step shows live (<see cref="SessionActivity"/>).
    /// A slow page loses the oldest activity, never a view change.
    /// </summary>
    private async Task EventsAsync(HttpContext context)
    {
        var lifetime = context.RequestServices.GetRequiredService<IHostApplicationLifetime>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        var activity = Channel.CreateBounded<SessionActivity>(new BoundedChannelOptions(ActivityBacklog) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        void OnChanged(object? sender, EventArgs e) => changed.Writer.TryWrite(true);
        void OnActivity(object? sender, SessionActivity e) => activity.Writer.TryWrite(e);
        void OnDeviceChanged(object? sender, DeviceStatusChangedEventArgs e) => changed.Writer.TryWrite(true);
        bool? presence = null;
        void OnSensors(object? sender, SensorSnapshot e)
        {
            if (presence != e.PresenceDetected)
            {
                presence = e.PresenceDetected;
                changed.Writer.TryWrite(true);
            }
        }

        var sensors = devices.All.Contains(devices.Sensors) ? devices.Sensors : null;
        if (sensors is not null)
        {
            sensors.Changed += OnSensors;
            // The first reading in the background: a sensor that does not answer must not hold up the screen's first view.
            _ = ReadPresenceAsync(sensors);
        }

        async Task ReadPresenceAsync(ISensors from)
        {
            try
            {
                var read = await from.ReadAsync(stop.Token).ConfigureAwait(false);
                if (read.IsSuccess)
                {
                    OnSensors(from, read.Value!);
                }
            }
            catch (OperationCanceledException)
            {
                // The page went away first.
            }
        }

        session.ViewChanged += OnChanged;
        session.Activity += OnActivity;
        foreach (var device in devices.All)
        {
            device.StatusChanged += OnDeviceChanged;
        }

        try
        {
            var response = context.Response;
            response.ContentType = "text/event-stream; charset=utf-8";
            response.Headers["X-Accel-Buffering"] = "no";
            string? last = null;
            var keepAlive = true;
            while (!stop.IsCancellationRequested)
            {
                var update = JsonSerializer.Serialize(new ScreenUpdate(SessionApi.ViewOf(session), Availability(), presence), LocalApiJson.Options);
                if (update != last)
                {
                    await response.WriteAsync($"data: {update}\n\n", stop.Token).ConfigureAwait(false);
                }
                else if (keepAlive)
                {
                    await response.WriteAsync(": keep-alive\n\n", stop.Token).ConfigureAwait(false);
                }

                last = update;
                while (activity.Reader.TryRead(out var live))
                {
                    await response.WriteAsync($"event: activity\ndata: {JsonSerializer.Serialize(live, LocalApiJson.Options)}\n\n", stop.Token).ConfigureAwait(false);
                }

                await response.Body.FlushAsync(stop.Token).ConfigureAwait(false);
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                wait.CancelAfter(Recheck);
                var viewChanged = changed.Reader.WaitToReadAsync(wait.Token).AsTask();
                var activityWaiting = activity.Reader.WaitToReadAsync(wait.Token).AsTask();
                await Task.WhenAny(viewChanged, activityWaiting).ConfigureAwait(false);
                keepAlive = !viewChanged.IsCompletedSuccessfully && !activityWaiting.IsCompletedSuccessfully;
                await wait.CancelAsync().ConfigureAwait(false);
                changed.Reader.TryRead(out _);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The page went away or the agent stops.
        }
        finally
        {
            session.ViewChanged -= OnChanged;
            session.Activity -= OnActivity;
            foreach (var device in devices.All)
            {
                device.StatusChanged -= OnDeviceChanged;
            }

            if (sensors is not null)
            {
                sensors.Changed -= OnSensors;
            }
        }
    }

    private sealed record ScreenCode(string Code, string Url, int ExpiresInSeconds);

    [LoggerMessage(EventId = 5020, Level = LogLevel.Warning, Message = "The screen keyboard's pinyin table {Path} cannot be served ({Problem}): the screen types letters and digits only and says Chinese input is unavailable. ./kiosk.sh publish renders it (deploy/render-pinyin.sh), or set Kiosk:Screen:PinyinTable")]
    private static partial void LogPinyinTableUnavailable(ILogger logger, string path, string problem);
}

/// <summary>
/// Whether the kiosk can take a check-in now and the office name to greet with. Reasons: notEnrolled (no platform signing
/// key), noRoster, storageFull, deviceUnavailable (with <see cref="Devices"/>, the device classes every level needs that
/// cannot work now, e.g. idCardReader).
/// </summary>
public sealed record ScreenAvailability(bool Available, IReadOnlyList<string> Reasons, string? OfficeName)
{
    public IReadOnlyList<string> Devices { get; init; } = [];

    /// <summary>The start screen goes black after this many seconds with nobody there (0: never); <c>Kiosk:Screen:BlankAfter</c>.</summary>
    public int BlankAfterSeconds { get; init; }
}

/// <summary>
/// One server-sent event of <c>/api/session/events</c>. <see cref="Presence"/>: whether the presence sensor sees someone
/// (null without a sensor), so a blanked screen wakes when a person walks up.
/// </summary>
public sealed record ScreenUpdate(SessionView Session, ScreenAvailability Availability, bool? Presence);
