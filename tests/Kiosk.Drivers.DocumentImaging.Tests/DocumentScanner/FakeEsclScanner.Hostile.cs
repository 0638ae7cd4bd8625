using System.Diagnostics;
using System.Net;

namespace Kiosk.Drivers.DocumentImaging.Tests.DocumentScanner;

/// <summary>
/// One-shot hostile answers of a <see cref="FakeEsclScanner"/>: what a broken, spoofed or malicious device on the
/// office network could send instead of a scanner's answer. Each is used once, by the next request it applies to.
/// </summary>
internal sealed partial class FakeEsclScanner
{
    /// <summary>Bound on the endless body, so that a client without a limit ends the test rather than the machine.</summary>
    private const long EndlessBodyBound = 256L * 1024 * 1024;

    private byte[]? _statusBody;
    private string? _statusRedirect;
    private string? _jobLocation;
    private byte[]? _documentBody;
    private volatile bool _endlessDocument;

    /// <summary>The next GET ScannerStatus is answered 200 text/xml with these bytes.</summary>
    public byte[]? NextStatusBody { set => Volatile.Write(ref _statusBody, value); }

    /// <summary>The next GET ScannerStatus is answered 302 Found to this address.</summary>
    public string? NextStatusRedirect { set => Volatile.Write(ref _statusRedirect, value); }

    /// <summary>The next POST ScanJobs is answered 201 Created with this job Location.</summary>
    public string? NextJobLocation { set => Volatile.Write(ref _jobLocation, value); }

    /// <summary>The next GET NextDocument is answered 200 image/png with these bytes.</summary>
    public byte[]? NextDocumentBody { set => Volatile.Write(ref _documentBody, value); }

    /// <summary>The next GET NextDocument is answered 200 image/png with a chunked body that does not end (up to 256 MiB).</summary>
    public bool NextDocumentEndless { set => _endlessDocument = value; }

    private async Task<bool> AnswerHostileAsync(string method, string path, HttpListenerResponse response)
    {
        if (method == "GET" && path == "/eSCL/ScannerStatus")
        {
            if (Interlocked.Exchange(ref _statusRedirect, null) is { } elsewhere)
            {
                response.Headers["Location"] = elsewhere;
                await SendAsync(response, 302, null, []);
                return true;
            }

            if (Interlocked.Exchange(ref _statusBody, null) is { } status)
            {
                await SendAsync(response, 200, "text/xml", status);
                return true;
            }
        }

        if (method == "POST" && path == "/eSCL/ScanJobs" && Interlocked.Exchange(ref _jobLocation, null) is { } job)
        {
            response.Headers["Location"] = job;
            await SendAsync(response, 201, null, []);
            return true;
        }

        if (method == "GET" && path.EndsWith("/NextDocument", StringComparison.Ordinal))
        {
            if (Interlocked.Exchange(ref _documentBody, null) is { } document)
            {
                await SendAsync(response, 200, "image/png", document);
                return true;
            }

            if (_endlessDocument)
            {
                _endlessDocument = false;
                await SendEndlessAsync(response);
                return true;
            }
        }

        return false;
    }

    private static async Task SendEndlessAsync(HttpListenerResponse response)
    {
        response.StatusCode = 200;
        response.ContentType = "image/png";
        response.SendChunked = true;
        var chunk = new byte[64 * 1024];
        new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }.CopyTo(chunk, 0);
        var wall = Stopwatch.StartNew();
        for (long sent = 0; sent < EndlessBodyBound && wall.Elapsed < TimeSpan.FromSeconds(60); sent += chunk.Length)
        {
            await response.OutputStream.WriteAsync(chunk); // throws once the client hangs up
        }

        response.Close();
    }
}
