using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Kiosk.Agent.Control;
using Kiosk.Agent.Sync;
using Kiosk.Fuzz.Harness;

namespace Kiosk.Fuzz.Targets;

/// <summary>
/// A platform message (<c>ack</c>, <c>cmd/{name}</c>) as the agent checks it before anything acts on it. Input: the
/// topic it arrived on, a newline, the message. Contract: never throws; a refusal of none comes with a message whose
/// topic is the one it arrived on and whose signature verifies under the platform's key (checked here apart from the
/// agent's code), so an unsigned or forged input never passes; a message comes out only for none, future and expired;
/// the same bytes in two segments get the same answer.
/// </summary>
internal sealed class PlatformMessageTarget : IFuzzTarget
{
    /// <summary>The largest limit a topic has (cmd/roster: 16 MiB); afl-fuzz's inputs stay far below it.</summary>
    private const int MaxBytes = 16 * 1024 * 1024;

    public string Name => "platform-message";

    public string Covers => "agent/Kiosk.Agent/Control/PlatformMessageVerifier.cs PlatformMessageVerifier.Verify";

    public void Run(byte[] input)
    {
        var newline = Array.IndexOf(input, (byte)'\n');
        var topic = newline < 0 ? FuzzPlatform.Topics.Ack : Encoding.UTF8.GetString(input, 0, newline);
        var envelope = newline < 0 ? input : input[(newline + 1)..];

        var refusal = FuzzPlatform.Verifier.Verify(topic, new ReadOnlySequence<byte>(envelope), MaxBytes, out var message, out var detail);
        SignedMessageContract.Check(topic, refusal, message, detail);
        if (refusal == Refusal.None)
        {
            if (!SignedMessageContract.SignatureVerifies(envelope, out var payload))
            {
                throw new ContractViolationException("a message whose signature does not verify under the platform's key was accepted");
            }

            if (!message!.Payload.AsSpan().SequenceEqual(payload) || message.KeyId != FuzzPlatform.Signer.KeyId)
            {
                throw new ContractViolationException("the accepted message's payload or key id is not the one signed");
            }
        }

        if (envelope.Length > 1)
        {
            var split = FuzzPlatform.Verifier.Verify(topic, FuzzPlatform.TwoSegments(envelope, envelope.Length / 2), MaxBytes, out _, out _);
            if (split != refusal)
            {
                throw new ContractViolationException($"the same message in two segments was {split}, in one {refusal}");
            }
        }
    }
}

/// <summary>
/// The checks after the signature, which afl-fuzz cannot reach by forging one: the harness signs what the input says with
/// the platform's key. Input: the topic it arrives on, a newline, the protected header's JSON, a newline, the payload.
/// Contract: never throws; none only for a message addressed to this kiosk and topic, issued and expiring within the
/// clock tolerance, valid at most seven days, with the payload that was signed.
/// </summary>
internal sealed class SignedPlatformMessageTarget : IFuzzTarget
{
    public string Name => "signed-platform-message";

    public string Covers => "agent/Kiosk.Agent/Control/PlatformMessageVerifier.cs PlatformMessageVerifier.Verify (header, addressee, time)";

    public void Run(byte[] input)
    {
        var first = Array.IndexOf(input, (byte)'\n');
        var second = first < 0 ? -1 : Array.IndexOf(input, (byte)'\n', first + 1);
        if (second < 0)
        {
            return;
        }

        var topic = Encoding.UTF8.GetString(input, 0, first);
        var header = input.AsSpan(first + 1, second - first - 1);
        var payload = input.AsSpan(second + 1);
        var envelope = SignedMessageContract.Envelope(header, payload);

        var refusal = FuzzPlatform.Verifier.Verify(topic, new ReadOnlySequence<byte>(envelope), int.MaxValue, out var message, out var detail);
        SignedMessageContract.Check(topic, refusal, message, detail);
        if (message is null)
        {
            return;
        }

        if (!message.Payload.AsSpan().SequenceEqual(payload) || message.KeyId != FuzzPlatform.Signer.KeyId)
        {
            throw new ContractViolationException("the verified message's payload or key id is not the one signed");
        }

        var lifetime = message.ExpiresAt - message.IssuedAt;
        if (lifetime <= TimeSpan.Zero || lifetime > PlatformMessageVerifier.MaxLifetime || message.Nonce.Length is < 16 or > 128)
        {
            throw new ContractViolationException($"a message valid for {lifetime} with a nonce of {message.Nonce.Length} characters was verified");
        }

        using var document = JsonDocument.Parse(header.ToArray());
        var root = document.RootElement;
        if (root.GetProperty("siteId").GetString() != FuzzPlatform.SiteId || root.GetProperty("kioskId").GetString() != FuzzPlatform.KioskId
            || root.GetProperty("topic").GetString() != topic)
        {
            throw new ContractViolationException("a message addressed to another kiosk or topic was verified");
        }

        var tolerance = PlatformMessageVerifier.ClockTolerance;
        var inTime = message.IssuedAt <= FuzzPlatform.Now + tolerance && message.ExpiresAt + tolerance >= FuzzPlatform.Now;
        if ((refusal == Refusal.None) != inTime)
        {
            throw new ContractViolationException($"issued {message.IssuedAt:O}, expiring {message.ExpiresAt:O} at {FuzzPlatform.Now:O}: {refusal}");
        }
    }
}

/// <summary>
/// The ack path as <see cref="AckProcessor"/> runs it: a payload signed by the platform for this kiosk's ack topic, then
/// verified, then read as an ack. Input: the ack's JSON. Contract: a validly signed ack is never refused, whatever its
/// payload; the payload comes out as signed; the ack reader never throws and gives an ack or a reason.
/// </summary>
internal sealed class SignedAckTarget : IFuzzTarget
{
    public string Name => "signed-ack";

    public string Covers => "agent/Kiosk.Agent/Sync/AckProcessor.cs Offer: PlatformMessageVerifier.Verify, then AckMessage.TryParse";

    public void Run(byte[] input)
    {
        var envelope = FuzzPlatform.Sign(FuzzPlatform.Topics.Ack, input);
        if (envelope.Length > AckProcessor.MaxAckBytes)
        {
            return;
        }

        var refusal = FuzzPlatform.Verifier.Verify(FuzzPlatform.Topics.Ack, new ReadOnlySequence<byte>(envelope), AckProcessor.MaxAckBytes, out var signed, out var detail);
        if (refusal != Refusal.None || signed is null)
        {
            throw new ContractViolationException($"a validly signed ack was refused: {refusal} ({detail})");
        }

        if (!signed.Payload.AsSpan().SequenceEqual(input))
        {
            throw new ContractViolationException("the verified ack's payload is not the one signed");
        }

        var ack = AckMessage.TryParse(new ReadOnlySequence<byte>(signed.Payload), out var error);
        if (ack is null == error is null)
        {
            throw new ContractViolationException($"TryParse returned {(ack is null ? "no ack" : "an ack")} and {(error is null ? "no reason" : "a reason")}");
        }
    }
}

internal static class SignedMessageContract
{
    public static void Check(string topic, Refusal refusal, VerifiedMessage? message, string detail)
    {
        if (!Enum.IsDefined(refusal) || detail is null)
        {
            throw new ContractViolationException($"Verify returned {refusal} with {(detail is null ? "no" : "a")} detail");
        }

        var carriesMessage = refusal is Refusal.None or Refusal.Future or Refusal.Expired;
        if (carriesMessage != message is not null)
        {
            throw new ContractViolationException($"Verify returned {refusal} with {(message is null ? "no message" : "a message")}");
        }

        if (message is not null && !string.Equals(message.Topic, topic, StringComparison.Ordinal))
        {
            throw new ContractViolationException($"Verify returned {refusal} for a message whose topic is not the one it arrived on");
        }

        if (refusal != Refusal.None && detail.Length == 0)
        {
            throw new ContractViolationException($"Verify refused ({refusal}) without saying why");
        }
    }

    /// <summary>
    /// Whether <paramref name="envelope"/> is a flattened JWS whose signature verifies under the platform's public key,
    /// read without the agent's code (the oracle for "an unsigned or forged input is never accepted").
    /// </summary>
    public static bool SignatureVerifies(byte[] envelope, out byte[] payload)
    {
        payload = [];
        try
        {
            var reader = new Utf8JsonReader(envelope);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            var protectedText = root.GetProperty("protected").GetString()!;
            var payloadText = root.GetProperty("payload").GetString()!;
            var signature = Base64Url.DecodeFromChars(root.GetProperty("signature").GetString());
            payload = Base64Url.DecodeFromChars(payloadText);
            return FuzzPlatform.PublicKey.VerifyData(Encoding.ASCII.GetBytes(protectedText + "." + payloadText), signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
#pragma warning disable CA1031 // The oracle: whatever this reader cannot read is not a signed message.
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }

    /// <summary>A flattened JWS over <paramref name="header"/> (taken as the protected header's bytes) and <paramref name="payload"/>, signed ES256 by the platform's key.</summary>
    public static byte[] Envelope(ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload)
    {
        var protectedText = Base64Url.EncodeToString(header);
        var payloadText = Base64Url.EncodeToString(payload);
        var signature = FuzzPlatform.PrivateKey.SignData(Encoding.ASCII.GetBytes(protectedText + "." + payloadText), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("protected", protectedText);
            json.WriteString("payload", payloadText);
            json.WriteString("signature", Base64Url.EncodeToString(signature));
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
