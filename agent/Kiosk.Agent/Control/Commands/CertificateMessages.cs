using System.Text.Json;
using System.Text.RegularExpressions;

namespace Kiosk.Agent.Control.Commands;

/// <summary>
/// The body of <c>cmd/certificate</c> (docs/schemas/cmd-certificate.schema.json): the platform's answer to this kiosk's
/// certificate request <see cref="RequestId"/>, either the issued certificate (PEM) or an error code and message.
/// The signature was verified before this is read.
/// </summary>
internal sealed partial record CertificateReply(string RequestId, string? CertificatePem, string? Error, string? Message)
{
    /// <summary>Largest signed <c>cmd/certificate</c> message accepted (a certificate is about 700 bytes of PEM).</summary>
    public const int MaxMessageBytes = 32 * 1024;

    private const int MaxPemChars = 16 * 1024;
    private const int MaxMessageChars = 1024;

    /// <summary>Reads a <c>cmd/certificate</c> body; never throws. <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(ReadOnlySpan<byte> json, out CertificateReply? reply, out string error)
    {
        reply = null;
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 8 });
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException ex)
        {
            error = "not JSON: " + ex.Message;
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "not a JSON object";
                return false;
            }

            if (!TryString(root, "requestId", 64, out var requestId) || !Identifier().IsMatch(requestId!))
            {
                error = "'requestId' is missing or not 1..64 of A-Z a-z 0-9 - _";
                return false;
            }

            var hasCertificate = root.TryGetProperty("certificate", out _);
            var hasError = root.TryGetProperty("error", out _);
            if (hasCertificate == hasError)
            {
                error = "exactly one of 'certificate' and 'error' is expected";
                return false;
            }

            if (hasCertificate)
            {
                if (!TryString(root, "certificate", MaxPemChars, out var pem) || !pem!.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
                {
                    error = $"'certificate' is not a PEM certificate of at most {MaxPemChars} characters";
                    return false;
                }

                reply = new CertificateReply(requestId!, pem, null, null);
                error = "";
                return true;
            }

            if (!TryString(root, "error", 32, out var code) || !Identifier().IsMatch(code!))
            {
                error = "'error' is not an error code";
                return false;
            }

            string? message = null;
            if (root.TryGetProperty("message", out _) && !TryString(root, "message", MaxMessageChars, out message))
            {
                error = $"'message' is not a string of at most {MaxMessageChars} characters";
                return false;
            }

            reply = new CertificateReply(requestId!, null, code, message ?? "");
            error = "";
            return true;
        }
    }

    private static bool TryString(JsonElement element, string name, int maxLength, out string? value)
    {
        // TryGetText: a string that is not UTF-8, or a \u escape of half a surrogate pair, is no string (fuzz/ target cmd-certificate).
        value = element.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.String && CommandBodyReader.TryGetText(property, out var text) ? text : null;
        return value is { Length: > 0 } && value.Length <= maxLength;
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$", RegexOptions.CultureInvariant)]
    internal static partial Regex Identifier();
}

/// <summary>The arguments of <c>cmd/renew-certificate</c> (docs/schemas/cmd-renew-certificate.schema.json): an optional reason for the log.</summary>
internal sealed record RenewCertificateArguments(string? Reason)
{
    private const int MaxReasonChars = 200;

    /// <summary>Reads a <c>cmd/renew-certificate</c> body; never throws. Unknown fields are ignored (a later platform may add some).</summary>
    public static bool TryParse(ReadOnlySpan<byte> json, out RenewCertificateArguments? arguments, out string error)
    {
        arguments = null;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 8 });
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "not a JSON object";
                return false;
            }

            string? reason = null;
            if (root.TryGetProperty("reason", out var value))
            {
                // TryGetText: text that is not UTF-8 (or half a surrogate pair) is refused here, not thrown (fuzz/ target cmd-renew-certificate).
                if (value.ValueKind != JsonValueKind.String || !CommandBodyReader.TryGetText(value, out var text) || text.Length > MaxReasonChars || text.Any(char.IsControl))
                {
                    error = $"'reason' is not a string of at most {MaxReasonChars} characters without control characters";
                    return false;
                }

                reason = text;
            }

            arguments = new RenewCertificateArguments(reason);
            error = "";
            return true;
        }
        catch (JsonException ex)
        {
            error = "not JSON: " + ex.Message;
            return false;
        }
    }
}
