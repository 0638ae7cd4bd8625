using System.Text.Json;
using System.Text.RegularExpressions;

namespace Kiosk.Central.Messages;

/// <summary>
/// A kiosk's certificate renewal request on <c>kiosk/v1/{siteId}/{kioskId}/csr</c>
/// (docs/schemas/certificate-request.schema.json): its id (the answer names it), a PKCS#10 request in PEM and, for the
/// platform's records, why it asks and which certificate it holds now.
/// </summary>
internal sealed partial record CertificateRequestMessage(string RequestId, string CsrPem, string? Reason, string? CurrentThumbprint)
{
    /// <summary>Requests above this size are not parsed (a CSR is about 500 bytes).</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>Reads a request; never throws. <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(ReadOnlySpan<byte> json, out CertificateRequestMessage? message, out string error)
    {
        message = null;
        if (json.Length > MaxBytes)
        {
            error = $"the request has {json.Length} bytes; at most {MaxBytes} are read";
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 8 });
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "the request is not a JSON object";
                return false;
            }

            if (String(root, "requestId") is not { } requestId || !Identifier().IsMatch(requestId))
            {
                error = "'requestId' is missing or not 1..64 of A-Z a-z 0-9 - _";
                return false;
            }

            if (String(root, "csr") is not { Length: > 0 } csr || !csr.Contains("-----BEGIN CERTIFICATE REQUEST-----", StringComparison.Ordinal))
            {
                error = "'csr' is missing or not the PEM of a PKCS#10 certificate request";
                return false;
            }

            var reason = String(root, "reason");
            if (root.TryGetProperty("reason", out _) && (reason is not { Length: <= 220 } || reason.Any(char.IsControl)))
            {
                error = "'reason' is not a string of at most 220 characters without control characters";
                return false;
            }

            var thumbprint = String(root, "currentThumbprint");
            if (root.TryGetProperty("currentThumbprint", out _) && (thumbprint is null || !Thumbprint().IsMatch(thumbprint)))
            {
                error = "'currentThumbprint' is not 64 hex digits (SHA-256)";
                return false;
            }

            message = new CertificateRequestMessage(requestId, csr, reason, thumbprint);
            error = string.Empty;
            return true;
        }
        catch (JsonException ex)
        {
            error = $"the request is not JSON ({ex.Message})";
            return false;
        }
    }

    /// <summary>
    /// The field's text, or null when it is absent, not a string, or not text: System.Text.Json checks a string only when
    /// it is read, so bytes that are not UTF-8 or a \u escape of half a surrogate pair throw here (fuzz/ target certificate-request).
    /// </summary>
    private static string? String(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Identifier();

    [GeneratedRegex("^[0-9A-Fa-f]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Thumbprint();
}
