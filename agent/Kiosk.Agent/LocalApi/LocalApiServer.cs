using System.Net;
using System.Security.Cryptography;
using System.Text;
using Kiosk.Agent.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kiosk.Agent.LocalApi;

/// <summary>
/// The agent's local HTTP API: a Kestrel listener on the loopback address only (<see cref="LocalApiOptions"/>),
/// started as one of the agent's hosted services, serving every registered <see cref="ILocalApiModule"/>.
/// It is its own small web application (no configuration sources, no default logging, no HTTPS) whose handlers
/// use the agent's singletons; it logs through the agent's loggers. Requests from another machine, with a Host
/// header that is not this machine (DNS rebinding) or from another site's page (Origin) are refused, and so is every
/// request without this run's token (<see cref="LocalApiToken"/>): another local user or process gets 401.
/// If the port is taken, the agent refuses to start (<see cref="LocalApiUnavailableException"/>) instead of running
/// without its API while another program answers the kiosk screen in its place; the service manager restarts it.
/// </summary>
public sealed partial class LocalApiServer(IOptions<KioskOptions> options, IHostEnvironment environment, IServiceProvider services, ILoggerFactory loggerFactory, ILogger<LocalApiServer> logger)
    : IHostedService, IAsyncDisposable, IDisposable
{
    private const long MaxRequestBodyBytes = 64 * 1024;
    private readonly string _dataFolder = Path.GetFullPath(options.Value.DataFolder, environment.ContentRootPath);
    private WebApplication? _app;
    private byte[] _token = [];
    private ScreenAccess? _screen;

    /// <summary>Where the API listens once started (the real port when port 0 was asked for); null when it does not.</summary>
    public Uri? Address { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value.LocalApi;
        if (!settings.Enabled)
        {
            LogDisabled(logger);
            return;
        }

        if (!LocalApiOptions.TryParse(settings.Url, out var endpoint, out var problem))
        {
            // Options validation refuses this before any service starts; this is the last line of defence.
            throw new InvalidOperationException(problem);
        }

        // The token is on disk before anyone can connect, so every caller that may read it can authenticate.
        var token = LocalApiToken.New();
        LocalApiToken.Write(_dataFolder, token);
        _token = Encoding.ASCII.GetBytes(token);

        var app = Build(endpoint);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException)
        {
            LogCannotListen(logger, settings.Url, ex.Message);
            await app.DisposeAsync().ConfigureAwait(false);
            LocalApiToken.Delete(_dataFolder);
            throw new LocalApiUnavailableException(
                $"the local API cannot listen on {settings.Url} ({ex.Message}): another program holds the port and could answer the kiosk screen in the agent's place. Find it (ss -ltnp) and stop it, or set {LocalApiOptions.Key} to a free port.", ex);
        }

        _app = app;
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Address = new Uri(bound);
        try
        {
            LocalApiUrlFile.Write(_dataFolder, Address);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogUrlFileFailed(logger, LocalApiUrlFile.PathIn(_dataFolder), ex.Message);
        }

        LogListening(logger, Address);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is null)
        {
            return;
        }

        LocalApiUrlFile.Delete(_dataFolder);
        LocalApiToken.Delete(_dataFolder);
        await _app.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    private WebApplication Build(IPEndPoint endpoint)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = environment.ApplicationName,
            ContentRootPath = environment.ContentRootPath,
            EnvironmentName = environment.EnvironmentName,
        });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            kestrel.Listen(endpoint);
        });
        builder.Services.AddRoutingCore();

        // Kestrel's per-request lines would flood the journal when the screen polls: warnings and errors only.
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new ForwardingLoggerProvider(loggerFactory));
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        var app = builder.Build();
        _screen = services.GetService<ScreenAccess>();
        app.Use(next => context => GuardAsync(context, next));
        // Resolved only now: building the agent's services (kioskctl config validate does) opens nothing.
        foreach (var module in services.GetServices<ILocalApiModule>())
        {
            module.Map(app);
        }

        return app;
    }

    /// <summary>Only this machine, addressing this machine, from no page or from our own pages.</summary>
    private Task GuardAsync(HttpContext context, RequestDelegate next)
    {
        // Nothing the local API answers (the screen's pages, the session, the status) belongs in any cache.
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Pragma = "no-cache";

        if (context.Connection.RemoteIpAddress is { } remote && !IPAddress.IsLoopback(remote))
        {
            return RefuseAsync(context, StatusCodes.Status403Forbidden, "the local API answers only this machine");
        }

        if (!IsThisMachine(context.Request.Host.Host))
        {
            return RefuseAsync(context, StatusCodes.Status400BadRequest, "the Host header must name this machine (127.0.0.1 or localhost)");
        }

        var origin = context.Request.Headers.Origin.ToString();
        if (origin.Length > 0 && !(Uri.TryCreate(origin, UriKind.Absolute, out var from) && from.Scheme == Uri.UriSchemeHttp && IsThisMachine(from.Host) && from.Port == Address?.Port))
        {
            return RefuseAsync(context, StatusCodes.Status403Forbidden, "requests from another site's page are refused");
        }

        // The kiosk screen (a browser) cannot send the token: its one-time code and then its cookie admit it to the screen's routes only.
        if (!Authenticated(context.Request) && !(_screen?.Admits(context) ?? false))
        {
            context.Response.Headers.WWWAuthenticate = LocalApiToken.Scheme;
            return RefuseAsync(context, StatusCodes.Status401Unauthorized, $"send this run's token as 'Authorization: {LocalApiToken.Scheme} <token>' (it is in {LocalApiToken.FileName} in the agent's data folder)");
        }

        return next(context);
    }

    /// <summary>The Authorization header carries this run's token (compared in constant time).</summary>
    private bool Authenticated(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        var prefix = LocalApiToken.Scheme + " ";
        if (_token.Length == 0 || !header.StartsWith(prefix, StringComparison.Ordinal) || header.Length - prefix.Length > 256)
        {
            return false;
        }

        var presented = Encoding.ASCII.GetBytes(header[prefix.Length..].Trim());
        return CryptographicOperations.FixedTimeEquals(presented, _token);
    }

    private static bool IsThisMachine(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    internal static Task RefuseAsync(HttpContext context, int statusCode, string message)
    {
        context.Response.StatusCode = statusCode;
        return context.Response.WriteAsJsonAsync(new LocalApiError(message), LocalApiJson.Options, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            _app = null;
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private sealed class ForwardingLoggerProvider(ILoggerFactory target) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => target.CreateLogger(categoryName);

        public void Dispose()
        {
            // The agent owns the factory.
        }
    }

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Local API listening on {Address} (this machine only)")]
    private static partial void LogListening(ILogger logger, Uri address);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "Local API disabled (Kiosk:LocalApi:Enabled=false): kioskctl status and queue retry cannot reach this agent")]
    private static partial void LogDisabled(ILogger logger);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Critical, Message = "Local API cannot listen on {Url} ({Problem}): another program holds the port; the agent stops rather than leave the kiosk screen to it. Stop that program or set Kiosk:LocalApi:Url to a free port")]
    private static partial void LogCannotListen(ILogger logger, string url, string problem);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "Could not write {Path} ({Problem}); kioskctl finds the agent only through Kiosk:LocalApi:Url or --url")]
    private static partial void LogUrlFileFailed(ILogger logger, string path, string problem);
}
