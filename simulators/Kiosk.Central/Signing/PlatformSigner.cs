using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Kiosk.Central.Messages;

namespace Kiosk.Central.Signing;

/// <summary>
/// Signs what the platform sends a kiosk (<c>ack</c>, <c>cmd/{name}</c>) as docs/mqtt-contract.md "Signed platform
/// messages" specifies: a JWS in flattened JSON serialization, ES256 (ECDSA P-256, SHA-256, r||s), whose protected header
/// carries the key id, the topic, the kiosk, issuedAt, expiresAt and a random nonce. The reference implementation of the
/// platform side; written from the document, apart from the agent's verifier. Thread safety: may be used concurrently.
/// </summary>
public sealed class PlatformSigner : IDisposable
{
    private readonly ECDsa _key;
    private readonly TimeProvider _time;
    private readonly TimeSpan _clockOffset;

    public PlatformSigner(ECDsa key, TimeProvider? time = null, TimeSpan clockOffset = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.ExportParameters(false).Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
        {
            throw new ArgumentException("the command-signing key must be ECDSA on P-256 (ES256)", nameof(key));
        }

        _key = key;
        _time = time ?? TimeProvider.System;
        _clockOffset = clockOffset;
        PublicKeyInfo = key.ExportSubjectPublicKeyInfo();
        KeyId = Base64Url.EncodeToString(SHA256.HashData(PublicKeyInfo));
    }

    /// <summary>Reads a PEM private key (PKCS#8 or SEC1) from <paramref name="path"/>.</summary>
    public static PlatformSigner FromPemFile(string path, TimeProvider? time = null, TimeSpan clockOffset = default)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(File.ReadAllText(path));
            return new PlatformSigner(key, time, clockOffset);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>Base64url SHA-256 of the public key's DER SubjectPublicKeyInfo: the <c>kid</c> of every message.</summary>
    public string KeyId { get; }

    public byte[] PublicKeyInfo { get; }

    /// <summary>The public key as PEM, as enrollment hands it to kiosks (<c>commandSigningKey</c>).</summary>
    public string PublicKeyPem => PemEncoding.WriteString("PUBLIC KEY", PublicKeyInfo);

    /// <summary>Default validity of an ack: a kiosk that gets it later than this has resent the records anyway.</summary>
    public static readonly TimeSpan AckLifetime = TimeSpan.FromHours(1);

    /// <summary>Default validity of a command.</summary>
    public static readonly TimeSpan CommandLifetime = TimeSpan.FromDays(1);

    /// <summary>Signs <paramref name="payload"/> (the message's JSON) for <paramref name="topic"/> of kiosk <paramref name="siteId"/>/<paramref name="kioskId"/>.</summary>
    /// <param name="issuedAt">Defaults to the platform clock now; tests set it to play an old or early message.</param>
    /// <param name="nonce">Defaults to 16 random bytes; tests reuse one to play a replay.</param>
    public byte[] Sign(string topic, string siteId, string kioskId, ReadOnlySpan<byte> payload, TimeSpan lifetime, DateTimeOffset? issuedAt = null, string? nonce = null)
    {
        var issued = issuedAt ?? _time.GetUtcNow() + _clockOffset;
        using var header = new MemoryStream();
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            json.WriteString("alg", "ES256");
            json.WriteString("kid", KeyId);
            json.WriteString("topic", topic);
            json.WriteString("siteId", siteId);
            json.WriteString("kioskId", kioskId);
            json.WriteString("issuedAt", ContractFormats.FormatTime(issued));
            json.WriteString("expiresAt", ContractFormats.FormatTime(issued + lifetime));
            json.WriteString("nonce", nonce ?? Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)));
            json.WriteEndObject();
        }

        var protectedText = Base64Url.EncodeToString(header.ToArray());
        var payloadText = Base64Url.EncodeToString(payload);
        var signature = _key.SignData(Encoding.ASCII.GetBytes(protectedText + "." + payloadText), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        using var envelope = new MemoryStream();
        using (var json = new Utf8JsonWriter(envelope))
        {
            json.WriteStartObject();
            json.WriteString("protected", protectedText);
            json.WriteString("payload", payloadText);
            json.WriteString("signature", Base64Url.EncodeToString(signature));
            json.WriteEndObject();
        }

        return envelope.ToArray();
    }

    /// <summary>The JSON inside a signed message, for logs and tests (the signature is not checked here).</summary>
    public static byte[] PayloadOf(ReadOnlySpan<byte> envelope)
    {
        var reader = new Utf8JsonReader(envelope);
        using var document = JsonDocument.ParseValue(ref reader);
        return Base64Url.DecodeFromChars(document.RootElement.GetProperty("payload").GetString());
    }

    /// <summary>The decoded protected header of a signed message, for logs and tests (the signature is not checked here).</summary>
    public static byte[] HeaderOf(ReadOnlySpan<byte> envelope)
    {
        var reader = new Utf8JsonReader(envelope);
        using var document = JsonDocument.ParseValue(ref reader);
        return Base64Url.DecodeFromChars(document.RootElement.GetProperty("protected").GetString());
    }

    public void Dispose() => _key.Dispose();
}
