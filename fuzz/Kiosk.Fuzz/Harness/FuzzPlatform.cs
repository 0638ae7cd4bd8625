using System.Buffers;
using System.Security.Cryptography;
using Kiosk.Agent.Control;
using Kiosk.Agent.Sync;
using Kiosk.Central.Signing;

namespace Kiosk.Fuzz.Harness;

/// <summary>
/// The platform and the kiosk the signed-message targets play: one fixed ES256 key (fuzzing only; it signs nothing
/// anywhere else), the agent's real <see cref="PlatformMessageVerifier"/> over a <see cref="PlatformKeyRing"/> that
/// learned the key's public PEM the way enrollment hands it over (a file), in a <see cref="ControlStore"/> in a temporary
/// folder made once per process, and a clock that stands still so that committed seeds stay valid.
/// </summary>
internal static class FuzzPlatform
{
    public const string SiteId = "site-1";
    public const string KioskId = "kiosk-01";

    /// <summary>What the kiosk's clock (and so its estimate of the platform's) says, always.</summary>
    public static readonly DateTimeOffset Now = new(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);

    /// <summary>The nonce of every message the harness signs (the verifier checks its length; the store, not under test here, checks replays).</summary>
    public const string Nonce = "fuzz-nonce-0123456789";

    public static Topics Topics { get; } = new(SiteId, KioskId);

    public static TimeProvider Time { get; } = new StillClock(Now);

    private static readonly Lazy<Kiosk> Instance = new(Kiosk.Create, LazyThreadSafetyMode.ExecutionAndPublication);

    public static PlatformMessageVerifier Verifier => Instance.Value.Verifier;

    public static PlatformSigner Signer => Instance.Value.Signer;

    /// <summary>The platform's private key, for the targets that sign what afl-fuzz writes (one instance: imports are slow).</summary>
    public static ECDsa PrivateKey => PrivateKeyInstance.Value;

    private static readonly Lazy<ECDsa> PrivateKeyInstance = new(CreatePrivateKey, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The public half, as a verifier independent of the agent's uses it (the targets' oracle).</summary>
    public static ECDsa PublicKey => Instance.Value.PublicKey;

    /// <summary>A fixed P-256 key. Hard-coded so that the signed seeds under fuzz/corpus keep verifying; worthless elsewhere.</summary>
    public static ECDsa CreatePrivateKey() => ECDsa.Create(new ECParameters
    {
        Curve = ECCurve.NamedCurves.nistP256,
        D = Convert.FromHexString("918a953e071574dfe2d89b4b69fa31e50883407b501eff6127d7726ba94303cb"),
        Q = new ECPoint
        {
            X = Convert.FromHexString("57983cd18ff6c3266454e8473a1a6b5f242df9144f4d0496e1bec8094ae5ff40"),
            Y = Convert.FromHexString("4c1fa0b41baae6286af0573b8be0408218762d51d9fbd3f1cedba07223926177"),
        },
    });

    /// <summary>Signs <paramref name="payload"/> for <paramref name="topic"/> exactly as the platform does (<see cref="PlatformSigner.Sign"/>), issued a minute before <see cref="Now"/>.</summary>
    public static byte[] Sign(string topic, ReadOnlySpan<byte> payload, TimeSpan? lifetime = null, DateTimeOffset? issuedAt = null) =>
        Signer.Sign(topic, SiteId, KioskId, payload, lifetime ?? PlatformSigner.AckLifetime, issuedAt ?? Now.AddMinutes(-1), Nonce);

    /// <summary><paramref name="bytes"/> as a sequence of two segments split at <paramref name="at"/>, as MQTTnet may hand a payload over.</summary>
    public static ReadOnlySequence<byte> TwoSegments(byte[] bytes, int at)
    {
        var first = new Segment(bytes.AsMemory(0, at), 0);
        var last = new Segment(bytes.AsMemory(at), at);
        first.SetNext(last);
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Kiosk
    {
        private Kiosk(PlatformMessageVerifier verifier, PlatformSigner signer, ECDsa publicKey)
        {
            Verifier = verifier;
            Signer = signer;
            PublicKey = publicKey;
        }

        public PlatformMessageVerifier Verifier { get; }

        public PlatformSigner Signer { get; }

        public ECDsa PublicKey { get; }

        public static Kiosk Create()
        {
            var folder = Directory.CreateTempSubdirectory("kiosk-fuzz-platform-");
            var signer = new PlatformSigner(CreatePrivateKey(), Time);
            var pemFile = Path.Combine(folder.FullName, "platform-signing-key.pem");
            File.WriteAllText(pemFile, signer.PublicKeyPem);
            var store = ControlStore.Open(Path.Combine(folder.FullName, "control.db"), key: null, Time);
            var keys = new PlatformKeyRing(store, pemFile);
            if (keys.Problem is { } problem)
            {
                throw new InvalidOperationException("the fuzz harness's key ring did not take its key: " + problem);
            }

            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                keys.Dispose();
                store.Dispose();
                try
                {
                    folder.Delete(recursive: true);
                }
                catch (IOException)
                {
                    // A temporary folder; the OS cleans it up eventually.
                }
            };

            var publicKey = ECDsa.Create();
            publicKey.ImportSubjectPublicKeyInfo(signer.PublicKeyInfo, out _);
            return new Kiosk(new PlatformMessageVerifier(keys, SiteId, KioskId, Time, () => null), signer, publicKey);
        }
    }

    private sealed class StillClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public void SetNext(Segment next) => Next = next;
    }
}
