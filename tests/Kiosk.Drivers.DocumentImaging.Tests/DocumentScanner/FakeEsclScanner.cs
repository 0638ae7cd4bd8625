using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using Kiosk.TestSupport;

namespace Kiosk.Drivers.DocumentImaging.Tests.DocumentScanner;

/// <summary>What the next scan job of a <see cref="FakeEsclScanner"/> does.</summary>
internal enum EsclScript
{
    Normal,

    /// <summary>ScannerStatus says ScannerAdfEmpty once.</summary>
    EmptyFeeder,

    /// <summary>One page, then 409 Conflict on NextDocument with ScannerStatus saying ScannerAdfJam once.</summary>
    Jam,

    /// <summary>409 Conflict on the first NextDocument, ScannerStatus still Idle/ScannerAdfLoaded.</summary>
    Conflict,

    /// <summary>503 Service Unavailable for the first <see cref="FakeEsclScanner.BusyAnswers"/> NextDocument requests.</summary>
    Busy,

    /// <summary>200 image/png with a body that is not a PNG.</summary>
    Garbage,

    /// <summary>POST ScanJobs is never answered.</summary>
    Hang,
}

/// <summary>
/// An eSCL scanner on 127.0.0.1 (HttpListener) for the tests: its feeder holds <see cref="Sheets"/> sheets, page.png on
/// the front and text.png on the back of each. Answers with Connection: close, so a stopped server is a refused connection.
/// </summary>
internal sealed partial class FakeEsclScanner : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly byte[] _front = File.ReadAllBytes(RepositoryPaths.TestDataFile("page.png"));
    private readonly byte[] _back = File.ReadAllBytes(RepositoryPaths.TestDataFile("text.png"));
    private readonly ConcurrentDictionary<string, ConcurrentQueue<byte[]>> _jobs = new(StringComparer.Ordinal);
    private volatile EsclScript _script;
    private volatile EsclScript _job;
    private volatile string _adfOnce = "";
    private int _busyLeft;
    private int _served;

    /// <param name="host">The loopback address to listen on; another one (127.0.0.2) stands for another machine.</param>
    public FakeEsclScanner(string host = "127.0.0.1")
    {
        Port = FreePort.Next();
        _listener.Prefixes.Add($"http://{host}:{Port}/");
        _listener.Start();
        _ = ServeAsync();
    }

    public int Port { get; }

    public Uri BaseUri => new($"http://127.0.0.1:{Port}/eSCL");

    public int Sheets { get; set; } = 2;

    public int BusyAnswers { get; set; } = 3;

    /// <summary>Every request as "METHOD /path", in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public string? LastSettings { get; private set; }

    /// <summary>Applies to the next job (or, for EmptyFeeder, the next status).</summary>
    public EsclScript Next
    {
        set
        {
            _script = value;
            _adfOnce = value == EsclScript.EmptyFeeder ? "ScannerAdfEmpty" : "";
        }
    }

    /// <summary>Unplugs the scanner: connections are refused from now on.</summary>
    public void Stop() => _listener.Close();

    public void Dispose() => _listener.Close();

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var path = request.Url!.AbsolutePath;
        Requests.Enqueue($"{request.HttpMethod} {path}");
        var response = context.Response;
        response.KeepAlive = false;
        try
        {
            if (await AnswerHostileAsync(request.HttpMethod, path, response))
            {
                return;
            }

            if (request.HttpMethod == "GET" && path == "/eSCL/ScannerStatus")
            {
                var adf = _adfOnce is { Length: > 0 } once ? once : "ScannerAdfLoaded";
                _adfOnce = "";
                await SendAsync(response, 200, "text/xml", Encoding.UTF8.GetBytes(Status(adf)));
            }
            else if (request.HttpMethod == "POST" && path == "/eSCL/ScanJobs")
            {
                using var reader = new StreamReader(request.InputStream, Encoding.UTF8);
                LastSettings = await reader.ReadToEndAsync();
                _job = _script;
                _script = EsclScript.Normal;
                if (_job == EsclScript.Hang)
                {
                    return; // Never answered; the listener's Close ends the connection.
                }

                _busyLeft = BusyAnswers;
                _served = 0;
                var duplex = LastSettings.Contains("<scan:Duplex>true</scan:Duplex>", StringComparison.Ordinal);
                var id = Guid.NewGuid().ToString("N");
                _jobs[id] = new ConcurrentQueue<byte[]>(Enumerable.Range(0, Sheets).SelectMany(_ => duplex ? new[] { _front, _back } : [_front]));
                response.Headers["Location"] = $"http://127.0.0.1:{Port}/eSCL/ScanJobs/{id}";
                await SendAsync(response, 201, null, []);
            }
            else if (request.HttpMethod == "GET" && path.StartsWith("/eSCL/ScanJobs/", StringComparison.Ordinal) && path.EndsWith("/NextDocument", StringComparison.Ordinal))
            {
                await NextDocumentAsync(response, path.Split('/')[3]);
            }
            else if (request.HttpMethod == "DELETE" && path.StartsWith("/eSCL/ScanJobs/", StringComparison.Ordinal))
            {
                await SendAsync(response, _jobs.TryRemove(path.Split('/')[3], out _) ? 200 : 404, null, []);
            }
            else
            {
                await SendAsync(response, 404, null, []);
            }
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or IOException)
        {
            // The client went away (cancelled, timed out).
        }
    }

    private async Task NextDocumentAsync(HttpListenerResponse response, string id)
    {
        if (!_jobs.TryGetValue(id, out var pages))
        {
            await SendAsync(response, 404, null, []);
            return;
        }

        switch (_job)
        {
            case EsclScript.Busy when Interlocked.Decrement(ref _busyLeft) >= 0:
                await SendAsync(response, 503, null, []);
                return;
            case EsclScript.Garbage:
                await SendAsync(response, 200, "image/png", "this is not a PNG image"u8.ToArray());
                return;
            case EsclScript.Conflict:
                await SendAsync(response, 409, null, []);
                return;
            case EsclScript.Jam when _served >= 1:
                _adfOnce = "ScannerAdfJam";
                await SendAsync(response, 409, null, []);
                return;
        }

        if (pages.TryDequeue(out var page))
        {
            _served++;
            await SendAsync(response, 200, "image/png", page);
        }
        else
        {
            _jobs.TryRemove(id, out _);
            await SendAsync(response, 404, null, []);
        }
    }

    private static string Status(string adf) => string.Create(
        CultureInfo.InvariantCulture,
        $"""
        <?xml version="1.0" encoding="UTF-8"?>
        <scan:ScannerStatus xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03" xmlns:pwg="http://www.pwg.org/schemas/2010/12/sm">
          <pwg:Version>2.6</pwg:Version>
          <pwg:State>Idle</pwg:State>
          <scan:AdfState>{adf}</scan:AdfState>
        </scan:ScannerStatus>
        """);

    internal static async Task SendAsync(HttpListenerResponse response, int status, string? contentType, byte[] body)
    {
        response.StatusCode = status;
        if (contentType is not null)
        {
            response.ContentType = contentType;
        }

        response.ContentLength64 = body.Length;
        await response.OutputStream.WriteAsync(body);
        response.Close();
    }
}
