using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Kiosk.Agent.Control;

/// <summary>Why a platform message was refused; the wire name is the telemetry counter's key.</summary>
public enum Refusal
{
    None,
    Oversized,
    Malformed,
#pragma warning disable CA1720 // "Unsigned" is the refusal reason, not a type name
    Unsigned,
#pragma warning restore CA1720
    WrongKey,
    BadSignature,
    WrongKiosk,
    Expired,
    Future,
    Replayed,
}

public static class Refusals
{
    public static string WireName(this Refusal refusal) => refusal switch
    {
        Refusal.Oversized => "oversized",
        Refusal.Malformed => "malformed",
        Refusal.Unsigned => "unsigned",
        Refusal.WrongKey => "wrongKey",
        Refusal.BadSignature => "badSignature",
        Refusal.WrongKiosk => "wrongKiosk",
        Refusal.Expired => "expired",
        Refusal.Future => "future",
        Refusal.Replayed => "replayed",
        _ => "none",
    };
}

/// <summary>A platform message whose signature, addressee and time checked out; its nonce is checked against the store next.</summary>
public sealed record VerifiedMessage(string Topic, string KeyId, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, string Nonce, byte[] Payload);

/// <summary>
/// Checks a platform message (<c>ack</c>, <c>cmd/{name}</c>) before anything acts on it: a JWS in flattened JSON
/// serialization (RFC 7515 §7.2.2) signed ES256 by a key of <see cref="PlatformKeyRing"/>, whose protected header names
/// this kiosk, the topic it arrived on, when it was issued and when it expires, and a nonce (docs/mqtt-contract.md,
/// "Signed platform messages"). Cheap checks first: size, shape, key, signature, addressee, time. Never throws.
/// Thread safety: stateless apart from the key ring; may run on MQTTnet's receive loop.
/// </summary>
public sealed class PlatformMessageVerifier(PlatformKeyRing keys, string siteId, string kioskId, TimeProvider time, Func<TimeSpan?> platformClockOffset)
{
    /// <summary>How far the platform's times may be off from this kiosk's estimate of the platform clock.</summary>
    public static readonly TimeSpan ClockTolerance = TimeSpan.FromMinutes(2);

    /// <summary>The longest a platform message may be valid (issuedAt to expiresAt).</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(7);

    private const int NonceMinLength = 16;
    private const int NonceMaxLength = 128;

    /// <summary>The platform clock as this kiosk estimates it: its own clock plus the offset learned from verified acks.</summary>
    public DateTimeOffset PlatformNow => time.GetUtcNow() + (platformClockOffset() ?? TimeSpan.Zero);

    /// <summary>
    /// Verifies <paramref name="payload"/>, received on <paramref name="topic"/>, against at most <paramref name="maxBytes"/>.
    /// <paramref name="message"/> is set when the refusal is none, and also for <see cref="Refusal.Future"/> and
    /// <see cref="Refusal.Expired"/> (signature and addressee verified, time not): only the clock challenge may use it then.
    /// </summary>
    public Refusal Verify(string topic, ReadOnlySequence<byte> payload, int maxBytes, out VerifiedMessage? message, out string detail)
    {
        message = null;
        if (payload.Length > maxBytes)
        {
            detail = $"{payload.Length} bytes, more than the {maxBytes} this topic accepts";
            return Refusal.Oversized;
        }

        try
        {
            return VerifyCore(topic, payload, out message, out detail);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or ArgumentException or CryptographicException or DecoderFallbackException)
        {
            detail = "not a signed message: " + ex.GetType().Name;
            message = null;
            return Refusal.Malformed;
        }
    }

    private Refusal VerifyCore(string topic, ReadOnlySequence<byte> payload, out VerifiedMessage? message, out string detail)
    {
        message = null;
        var reader = new Utf8JsonReader(payload);
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            detail = "not a JSON object";
            return Refusal.Malformed;
        }

        if (!TryString(root, "signature", out var signatureText) || !TryString(root, "protected", out var protectedText))
        {
            detail = "no signature";
            return Refusal.Unsigned;
        }

        if (!TryString(root, "payload", out var payloadText))
        {
            detail = "no payload";
            return Refusal.Malformed;
        }

        var headerBytes = Base64Url.DecodeFromChars(protectedText);
        using var headerDocument = JsonDocument.Parse(headerBytes);
        var header = headerDocument.RootElement;
        if (header.ValueKind != JsonValueKind.Object)
        {
            detail = "protected header is not an object";
            return Refusal.Malformed;
        }

        if (!TryString(header, "alg", out var alg) || alg != "ES256" || header.TryGetProperty("crit", out _))
        {
            detail = "algorithm is not ES256 (or names critical extensions)";
            return Refusal.Unsigned;
        }

        if (!TryString(header, "kid", out var kid) || !TryString(header, "topic", out var signedTopic) || !TryString(header, "siteId", out var site)
            || !TryString(header, "kioskId", out var kiosk) || !TryString(header, "nonce", out var nonce) || !TryTime(header, "issuedAt", out var issuedAt)
            || !TryTime(header, "expiresAt", out var expiresAt))
        {
            detail = "protected header lacks kid, topic, siteId, kioskId, nonce, issuedAt or expiresAt";
            return Refusal.Malformed;
        }

        if (nonce.Length is < NonceMinLength or > NonceMaxLength)
        {
            detail = $"nonce is not {NonceMinLength}..{NonceMaxLength} characters";
            return Refusal.Malformed;
        }

        var now = PlatformNow;
        var key = keys.Find(kid, now);
        if (key is null)
        {
            detail = "signed with a key this kiosk does not accept";
            return Refusal.WrongKey;
        }

        var signature = Base64Url.DecodeFromChars(signatureText);
        var signingInput = Encoding.ASCII.GetBytes(protectedText + "." + payloadText);
        if (signature.Length != 64 || !key.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
        {
            detail = "signature does not verify";
            return Refusal.BadSignature;
        }

        if (!string.Equals(signedTopic, topic, StringComparison.Ordinal) || !string.Equals(site, siteId, StringComparison.Ordinal) || !string.Equals(kiosk, kioskId, StringComparison.Ordinal))
        {
            detail = "addressed to another kiosk or topic";
            return Refusal.WrongKiosk;
        }

        if (expiresAt <= issuedAt || expiresAt - issuedAt > MaxLifetime)
        {
            detail = $"validity is not within 0..{MaxLifetime.TotalDays} days";
            return Refusal.Malformed;
        }

        // Signed by the platform for this kiosk: from here on the message is the platform's, and a refusal for its time
        // still hands it out, so that an ack answering the kiosk's clock challenge can be taken (AckProcessor).
        message = new VerifiedMessage(topic, kid, issuedAt, expiresAt, nonce, Base64Url.DecodeFromChars(payloadText));
        if (issuedAt > now + ClockTolerance)
        {
            detail = $"issued {(issuedAt - now).TotalSeconds:F0} s in the future of the platform clock as this kiosk knows it";
            return Refusal.Future;
        }

        if (expiresAt + ClockTolerance < now)
        {
            detail = $"expired {(now - expiresAt).TotalSeconds:F0} s ago";
            return Refusal.Expired;
        }

        detail = "";
        return Refusal.None;
    }

    private static bool TryString(JsonElement element, string name, out string value)
    {
        value = element.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.String ? property.GetString()! : "";
        return value.Length > 0;
    }

    private static bool TryTime(JsonElement element, string name, out DateTimeOffset value)
    {
        value = default;
        return TryString(element, name, out var text)
            && DateTimeOffset.TryParseExact(text, ["yyyy-MM-ddTHH:mm:ss.fffZ", "yyyy-MM-ddTHH:mm:ssZ"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value);
    }
}
