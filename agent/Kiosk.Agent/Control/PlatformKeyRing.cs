using System.Buffers.Text;
using System.Security.Cryptography;
using Kiosk.Agent.Configuration;

namespace Kiosk.Agent.Control;

/// <summary>
/// The platform's command-signing public keys this kiosk accepts: the one enrollment stored
/// (<see cref="ProvisioningOptions.CommandSigningKeyFile"/>) and those a signed <c>signing-key</c> command introduced,
/// each until its retirement (the rotation's overlap window). A key is named by its <c>kid</c>: the base64url SHA-256 of
/// its SubjectPublicKeyInfo. Thread safety: lookups may run concurrently with a rotation.
/// </summary>
public sealed class PlatformKeyRing : IDisposable
{
    private readonly ControlStore _store;
    private readonly Lock _lock = new();
    private Dictionary<string, (ECDsa Key, DateTimeOffset? RetiresAt)> _keys = new(StringComparer.Ordinal);

    public PlatformKeyRing(ControlStore store, string? enrolledKeyFile)
    {
        _store = store;
        Problem = null;
        if (string.IsNullOrWhiteSpace(enrolledKeyFile))
        {
            Problem = "no platform signing key is configured (Kiosk:Provisioning:CommandSigningKeyFile); run kioskctl enroll";
        }
        else
        {
            try
            {
                var spki = ReadPublicKey(File.ReadAllText(enrolledKeyFile));
                EnrolledKeyId = KeyId(spki);
                store.AddSigningKeyAsync(EnrolledKeyId, spki, null, CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
            {
                Problem = $"the platform signing key {enrolledKeyFile} cannot be read ({ex.Message}); run kioskctl enroll again";
            }
        }

        Reload();
    }

    /// <summary>Why no key is usable, or null. Every platform message is refused while this is set.</summary>
    public string? Problem { get; }

    /// <summary>The kid of the key enrollment delivered, or null.</summary>
    public string? EnrolledKeyId { get; }

    /// <summary>The kids accepted at <paramref name="now"/>.</summary>
    public IReadOnlyList<string> AcceptedKeyIds(DateTimeOffset now)
    {
        lock (_lock)
        {
            return _keys.Where(k => k.Value.RetiresAt is null || k.Value.RetiresAt > now).Select(k => k.Key).ToList();
        }
    }

    /// <summary>The key named <paramref name="kid"/> when it is accepted at <paramref name="now"/>.</summary>
    public ECDsa? Find(string kid, DateTimeOffset now)
    {
        lock (_lock)
        {
            return _keys.TryGetValue(kid, out var entry) && (entry.RetiresAt is null || entry.RetiresAt > now) ? entry.Key : null;
        }
    }

    /// <summary>
    /// Rotation: accepts <paramref name="nextKeyPem"/> from now on, and the key that signed the rotation
    /// (<paramref name="signingKid"/>) only until <paramref name="currentRetiresAt"/>. Durable before it returns.
    /// </summary>
    public async Task<string> IntroduceAsync(string nextKeyPem, string signingKid, DateTimeOffset currentRetiresAt, CancellationToken cancellationToken)
    {
        var spki = ReadPublicKey(nextKeyPem);
        var kid = KeyId(spki);
        await _store.AddSigningKeyAsync(kid, spki, null, cancellationToken).ConfigureAwait(false);
        if (!string.Equals(kid, signingKid, StringComparison.Ordinal))
        {
            await _store.RetireSigningKeyAsync(signingKid, currentRetiresAt, cancellationToken).ConfigureAwait(false);
        }

        Reload();
        return kid;
    }

    /// <summary>The kid of a public key: base64url (no padding) of SHA-256 over its DER SubjectPublicKeyInfo.</summary>
    public static string KeyId(byte[] subjectPublicKeyInfo) => Base64Url.EncodeToString(SHA256.HashData(subjectPublicKeyInfo));

    /// <summary>Reads a PEM public key; only ECDSA P-256 is accepted (the scheme is ES256).</summary>
    public static byte[] ReadPublicKey(string pem)
    {
        using var key = ECDsa.Create();
        key.ImportFromPem(pem);
        var parameters = key.ExportParameters(false);
        if (parameters.Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
        {
            throw new ArgumentException("the platform signing key must be ECDSA on P-256 (ES256)");
        }

        return key.ExportSubjectPublicKeyInfo();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var (key, _) in _keys.Values)
            {
                key.Dispose();
            }

            _keys.Clear();
        }
    }

    private void Reload()
    {
        var loaded = new Dictionary<string, (ECDsa, DateTimeOffset?)>(StringComparer.Ordinal);
        foreach (var (kid, spki, retiresAt) in _store.ReadSigningKeys())
        {
            var key = ECDsa.Create();
            try
            {
                key.ImportSubjectPublicKeyInfo(spki, out _);
                loaded[kid] = (key, retiresAt);
            }
            catch (CryptographicException)
            {
                key.Dispose();
            }
        }

        // The old instances are left to the collector, not disposed: a verification may still be using one.
        lock (_lock)
        {
            _keys = loaded;
        }
    }
}
