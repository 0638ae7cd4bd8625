using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Kiosk.Agent.Outbox;
using Kiosk.Agent.Session;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kiosk.Agent.LocalApi;

/// <summary>
/// The kiosk screen on the local API: its pages (plain HTML/CSS/JS embedded in the agent) at <c>/screen/</c>, opened with a
/// one-time code (<see cref="ScreenAccess"/>); <c>POST /api/screen/codes</c> (token only) issues one;
/// <c>GET /api/screen/status</c> says whether the kiosk can take a check-in now; <c>GET /api/session/events</c> pushes the
/// session's view (server-sent events) on every change, so the page never polls. The screen drives the session through
/// <see cref="SessionApi"/>. Nothing here carries a name or an ID number. <c>/screen/pinyin.json</c>, the on-screen
/// keyboard's pinyin table, is a file of the installed package (<see cref="PinyinTableFile"/>), not an embedded asset.
/// </summary>
internal sealed partial class ScreenApi(CheckInSession session, ScreenAccess access, IRoster roster, OutboxStore outbox, IConfiguration configuration, ILogger<ScreenApi> logger) : ILocalApiModule
{
    /// <summary>The server re-checks availability (roster, storage) this often while a screen listens, and sends a keep-alive.</summary>
    private static readonly TimeSpan Recheck = TimeSpan.FromSeconds(15);

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
        if (!roster.IsLoaded)
        {
            reasons.Add("noRoster");
        }

        var usage = outbox.Usage;
        if (usage.BudgetBytes > 0 && usage.UsedBytes >= usage.BudgetBytes)
        {
            reasons.Add("storageFull");
        }

        var office = configuration["Kiosk:Screen:OfficeName"];
        return new ScreenAvailability(reasons.Count == 0, reasons, string.IsNullOrWhiteSpace(office) ? null : office.Trim());
    }

    private async Task EventsAsync(HttpContext context)
    {
        var lifetime = context.RequestServices.GetRequiredService<IHostApplicationLifetime>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        void OnChanged(object? sender, EventArgs e) => changed.Writer.TryWrite(true);
        session.ViewChanged += OnChanged;
        try
        {
            var response = context.Response;
            response.ContentType = "text/event-stream; charset=utf-8";
            response.Headers["X-Accel-Buffering"] = "no";
            string? last = null;
            while (!stop.IsCancellationRequested)
            {
                var update = JsonSerializer.Serialize(new ScreenUpdate(SessionApi.ViewOf(session), Availability()), LocalApiJson.Options);
                await response.WriteAsync(update == last ? ": keep-alive\n\n" : $"data: {update}\n\n", stop.Token).ConfigureAwait(false);
                await response.Body.FlushAsync(stop.Token).ConfigureAwait(false);
                last = update;
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                wait.CancelAfter(Recheck);
                try
                {
                    await changed.Reader.ReadAsync(wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                {
                    // Time to re-check availability and keep the connection alive.
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The page went away or the agent stops.
        }
        finally
        {
            session.ViewChanged -= OnChanged;
        }
    }

    private sealed record ScreenCode(string Code, string Url, int ExpiresInSeconds);

    [LoggerMessage(EventId = 5020, Level = LogLevel.Warning, Message = "The screen keyboard's pinyin table {Path} cannot be served ({Problem}): the screen types letters and digits only and says Chinese input is unavailable. ./kiosk.sh publish renders it (deploy/render-pinyin.sh), or set Kiosk:Screen:PinyinTable")]
    private static partial void LogPinyinTableUnavailable(ILogger logger, string path, string problem);
}

/// <summary>Whether the kiosk can take a check-in now (reasons: noRoster, storageFull) and the office name to greet with.</summary>
public sealed record ScreenAvailability(bool Available, IReadOnlyList<string> Reasons, string? OfficeName);

/// <summary>One server-sent event of <c>/api/session/events</c>.</summary>
public sealed record ScreenUpdate(SessionView Session, ScreenAvailability Availability);
