using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Kiosk.Agent.Control.Commands;

/// <summary>
/// <c>cmd/signing-key</c>: key rotation. Signed with a key the kiosk accepts, it introduces the platform's next
/// command-signing key (<c>publicKey</c>, PEM, ECDSA P-256); the key that signed it stays accepted until
/// <c>overlapSeconds</c> (0..30 days; default 7 days), then only the new one is. The overlap is counted on the
/// platform's clock, the one <see cref="PlatformMessageVerifier"/> checks retirement against: counted on the kiosk's
/// own clock, a kiosk running ahead of the platform would accept the old key for that much longer than asked.
/// </summary>
internal sealed class SigningKeyCommand(PlatformKeyRing keys, PlatformMessageVerifier verifier) : ICommandHandler
{
    public static readonly TimeSpan DefaultOverlap = TimeSpan.FromDays(7);
    public static readonly TimeSpan MaxOverlap = TimeSpan.FromDays(30);

    public string Name => "signing-key";

    public async Task<CommandResult> RunAsync(CommandRequest request, CancellationToken cancellationToken)
    {
        if (!request.Body.TryGetProperty("publicKey", out var pem) || pem.ValueKind != JsonValueKind.String)
        {
            return CommandResult.Refused("'publicKey' (PEM, ECDSA P-256) is missing");
        }

        var overlap = DefaultOverlap;
        if (request.Body.TryGetProperty("overlapSeconds", out var seconds))
        {
            if (!seconds.TryGetInt64(out var value) || value < 0 || value > MaxOverlap.TotalSeconds)
            {
                return CommandResult.Refused($"'overlapSeconds' must be a whole number in 0..{MaxOverlap.TotalSeconds:F0}");
            }

            overlap = TimeSpan.FromSeconds(value);
        }

        try
        {
            var retiresAt = verifier.PlatformNow + overlap;
            // No overlap means no message signed with the old key is taken from here on, whatever the estimate of the
            // platform's clock does next (it moves with every clock challenge): retired at the epoch, not at "now".
            var stored = overlap == TimeSpan.Zero ? DateTimeOffset.UnixEpoch : retiresAt;
            var kid = await keys.IntroduceAsync(pem.GetString()!, request.Message.KeyId, stored, cancellationToken).ConfigureAwait(false);
            return CommandResult.Done($"key {kid} accepted; key {request.Message.KeyId} accepted until {retiresAt.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)}", new JsonObject
            {
                ["keyId"] = kid,
                ["previousKeyId"] = request.Message.KeyId,
                ["previousRetiresAt"] = Outbox.OutboxTime.Format(retiresAt),
            });
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            return CommandResult.Refused("'publicKey' is not a PEM ECDSA P-256 public key: " + ex.Message);
        }
    }
}
