using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Kiosk.Ctl.Enrollment;

/// <summary>The platform's answer to an enrollment request (docs/schemas/provisioning-enroll-reply.schema.json).</summary>
internal sealed record EnrollmentReply(string? Certificate, string? CaChain, string? CommandSigningKey, string? Error, string? Message, DateTimeOffset? PlatformTime)
{
    /// <summary>A name given twice makes a reply ambiguous (which certificate?): not a reply (found by fuzz/ target "enrollment-reply").</summary>
    private static readonly JsonDocumentOptions ParseOptions = new() { AllowDuplicateProperties = false };

    /// <summary>Reads the reply; null when it is not a JSON object with either the certificate fields or an error.</summary>
    public static EnrollmentReply? Read(byte[] payload)
    {
        JsonObject? reply;
        try
        {
            reply = JsonNode.Parse(payload, documentOptions: ParseOptions) as JsonObject;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: looking for names given twice reads every name, and a name that is not text throws.
            return null;
        }

        if (reply is null)
        {
            return null;
        }

        var parsed = new EnrollmentReply(Text(reply, "certificate"), Text(reply, "caChain"), Text(reply, "commandSigningKey"), Text(reply, "error"), Text(reply, "message"), Time(reply, "platformTime"));
        return parsed.Error is not null || (parsed.Certificate is not null && parsed.CaChain is not null && parsed.CommandSigningKey is not null) ? parsed : null;
    }

    /// <summary>The <c>platformTime</c> of a time reply (docs/schemas/provisioning-time-reply.schema.json), or null.</summary>
    public static DateTimeOffset? ReadPlatformTime(byte[] payload)
    {
        try
        {
            return JsonNode.Parse(payload, documentOptions: ParseOptions) is JsonObject reply ? Time(reply, "platformTime") : null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    private static string? Text(JsonObject o, string name)
    {
        try
        {
            return o[name] is JsonValue v && v.TryGetValue(out string? s) && s.Length > 0 ? s : null;
        }
        catch (InvalidOperationException)
        {
            // A name or value that is not valid UTF-8 (System.Text.Json checks text only when it is read; fuzz/ target
            // "enrollment-reply"): not a field of a reply.
            return null;
        }
    }

    private static DateTimeOffset? Time(JsonObject o, string name) =>
        Text(o, name) is { } s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) ? t : null;
}
