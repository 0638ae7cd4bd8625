using System.Globalization;
using System.Net;

namespace Kiosk.Fuzz.Harness;

/// <summary>
/// An eSCL scanner on the other end of an HttpClient, answering request after request from the fuzz input: answers are
/// separated by a line "--", each is a first line "STATUS [LOCATION]" and the body after it (text/xml, or image/png for
/// a 200 to NextDocument). When the answers run out the connection is refused. Every request's address is kept, so a
/// target can check that nothing went to another host.
/// </summary>
internal sealed class ScannerAnswers : HttpMessageHandler
{
    private static readonly byte[] Separator = "\n--\n"u8.ToArray();
    private readonly Queue<byte[]> _answers = new();

    public ScannerAnswers(byte[] input)
    {
        var rest = input.AsSpan();
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf(Separator);
            _answers.Enqueue((end < 0 ? rest : rest[..end]).ToArray());
            rest = end < 0 ? [] : rest[(end + Separator.Length)..];
        }
    }

    public List<Uri> Requests { get; } = [];

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests.Add(request.RequestUri!);
        if (!_answers.TryDequeue(out var answer))
        {
            throw new HttpRequestException(HttpRequestError.ConnectionError, "connection refused (no more answers)");
        }

        var newline = Array.IndexOf(answer, (byte)'\n');
        var head = System.Text.Encoding.ASCII.GetString(answer, 0, newline < 0 ? answer.Length : newline).Split(' ', 2);
        var status = int.TryParse(head[0], NumberStyles.None, CultureInfo.InvariantCulture, out var code) && code is >= 100 and <= 599 ? code : 200;
        var body = newline < 0 ? [] : answer[(newline + 1)..];
        var response = new HttpResponseMessage((HttpStatusCode)status)
        {
            RequestMessage = request,
            Content = new ByteArrayContent(body),
        };
        response.Content.Headers.ContentType = new(request.RequestUri!.AbsolutePath.EndsWith("/NextDocument", StringComparison.Ordinal) ? "image/png" : "text/xml");
        if (head.Length > 1 && Uri.TryCreate(head[1].Trim(), UriKind.RelativeOrAbsolute, out var location))
        {
            response.Headers.Location = location;
        }

        return Task.FromResult(response);
    }
}
