using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Kiosk.Agent.Control.Commands;
using Kiosk.Agent.Sync;
using Kiosk.Agent.Tls;
using Kiosk.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace Kiosk.Agent.Tests.Sync;

/// <summary>The parts of certificate renewal that need no broker: when it asks, what it accepts, how it swaps files, what it reads.</summary>
public sealed class CertificateRenewalTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromDays(30);

    private TempFolder _folder = null!;

    [SetUp]
    public void SetUp() => _folder = new TempFolder("renewal-unit");

    [TearDown]
    public void TearDown() => _folder.Dispose();

    private static CertificateRenewal.Pending Pending(DateTimeOffset nextAttemptAt, int attempts = 1) => new("req1", "key", "expiry", attempts, nextAttemptAt, []);

    [Test]
    public void Automatic_renewal_asks_once_within_the_window_and_not_before()
    {
        var time = new FakeTimeProvider(Now);
        var notAfter = Now + TimeSpan.FromDays(45);

        var early = CertificateRenewal.Plan(time.GetUtcNow(), notAfter, Window, null, null);
        time.Advance(TimeSpan.FromDays(15));
        var due = CertificateRenewal.Plan(time.GetUtcNow(), notAfter, Window, null, null);

        Assert.Multiple(() =>
        {
            Assert.That(early, Is.EqualTo((CertificateRenewal.Step.Wait, notAfter - Window)), "waits for the window");
            Assert.That(due.Step, Is.EqualTo(CertificateRenewal.Step.Request));
            Assert.That(CertificateRenewal.Plan(Now, notAfter, TimeSpan.Zero, null, null).Step, Is.EqualTo(CertificateRenewal.Step.Wait), "0 turns automatic renewal off");
        });
    }

    [Test]
    public void An_unanswered_request_goes_again_with_a_doubling_wait_and_a_failed_renewal_is_not_retried_at_once()
    {
        var notAfter = Now + TimeSpan.FromDays(10);
        var interval = TimeSpan.FromMinutes(15);
        var max = TimeSpan.FromHours(12);

        Assert.Multiple(() =>
        {
            Assert.That(CertificateRenewal.Plan(Now, notAfter, Window, Pending(Now + interval), null), Is.EqualTo((CertificateRenewal.Step.Wait, Now + interval)));
            Assert.That(CertificateRenewal.Plan(Now + interval, notAfter, Window, Pending(Now + interval), null).Step, Is.EqualTo(CertificateRenewal.Step.Resend));
            Assert.That(Enumerable.Range(1, 8).Select(a => CertificateRenewal.RetryDelay(a, interval, max).TotalMinutes), Is.EqualTo(new double[] { 15, 30, 60, 120, 240, 480, 720, 720 }));
            Assert.That(CertificateRenewal.RetryDelay(int.MaxValue, interval, max), Is.EqualTo(max));
            Assert.That(CertificateRenewal.Plan(Now, notAfter, Window, null, Now + interval), Is.EqualTo((CertificateRenewal.Step.Wait, Now + interval)), "after a failure, not before the retry interval");
        });
    }

    [Test]
    public void Only_a_certificate_for_the_requests_key_this_kiosks_name_client_auth_now_and_the_CA_file_is_accepted()
    {
        using var pki = new TestPki(_folder.Path);
        using var other = new TestPki(_folder.Path, "Other CA");
        using var trust = CaBundle.Load(pki.CaFile);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var now = DateTimeOffset.UtcNow;
        const string Name = "kiosk-site-t-kiosk-t";

        string? Problem(X509Certificate2 certificate, ECDsa requested, int daysLater = 0)
        {
            using (certificate)
            {
                return CertificateRenewal.CertificateProblem(certificate, requested, Name, trust, now.AddDays(daysLater));
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(Problem(Issue(pki.Ca, key, "CN=" + Name, "1.3.6.1.5.5.7.3.2", now), key), Is.Null);
            Assert.That(Problem(Issue(pki.Ca, stranger, "CN=" + Name, "1.3.6.1.5.5.7.3.2", now), key), Does.Contain("public key"));
            Assert.That(Problem(Issue(pki.Ca, key, "CN=kiosk-site-t-kiosk-2", "1.3.6.1.5.5.7.3.2", now), key), Does.Contain("is not CN=" + Name));
            Assert.That(Problem(Issue(pki.Ca, key, $"CN={Name}, O=Extra", "1.3.6.1.5.5.7.3.2", now), key), Does.Contain("subject"));
            Assert.That(Problem(Issue(pki.Ca, key, "CN=" + Name, "1.3.6.1.5.5.7.3.1", now), key), Does.Contain("clientAuth"));
            Assert.That(Problem(Issue(pki.Ca, key, "CN=" + Name, "1.3.6.1.5.5.7.3.2", now), key, daysLater: 400), Does.Contain("not now"));
            Assert.That(Problem(Issue(other.Ca, key, "CN=" + Name, "1.3.6.1.5.5.7.3.2", now), key), Does.Contain("does not chain"));
        });
    }

    [Test]
    public void The_renewed_pair_is_written_beside_the_old_one_owner_only_and_replaces_it_only_when_promoted()
    {
        var files = new ClientCertificateFiles(_folder.File("pki/device.crt"), _folder.File("pki/device.key"));
        ClientCertificateFiles.WriteAtomic(files.CertificateFile, "old certificate", secret: false);
        ClientCertificateFiles.WriteAtomic(files.KeyFile, "old key", secret: true);

        files.WriteNext("new certificate", "new key");
        Assert.Multiple(() =>
        {
            Assert.That(File.ReadAllText(files.CertificateFile), Is.EqualTo("old certificate"), "the old pair stays until the new one has connected");
            Assert.That(File.ReadAllText(files.KeyFile), Is.EqualTo("old key"));
            Assert.That(OwnerOnly(files.NextKeyFile), Is.True, "the new key is owner-only from its first byte");
            Assert.That(Directory.GetFiles(_folder.File("pki"), "*.tmp"), Is.Empty, "no temporary file left");
        });

        files.Promote();
        Assert.Multiple(() =>
        {
            Assert.That(File.ReadAllText(files.CertificateFile), Is.EqualTo("new certificate"));
            Assert.That(File.ReadAllText(files.KeyFile), Is.EqualTo("new key"));
            Assert.That(OwnerOnly(files.KeyFile), Is.True);
            Assert.That(File.Exists(files.NextCertificateFile) || File.Exists(files.NextKeyFile), Is.False);
        });
    }

    [Test]
    public void A_swap_cut_by_a_stop_is_finished_or_dropped_at_the_next_start_never_leaving_a_mismatched_pair()
    {
        var files = new ClientCertificateFiles(_folder.File("device.crt"), _folder.File("device.key"));
        ClientCertificateFiles.WriteAtomic(files.CertificateFile, "old certificate", secret: false);
        ClientCertificateFiles.WriteAtomic(files.KeyFile, "old key", secret: true);

        // Stopped between the two moves of Promote: the new key is in place, the new certificate still beside it.
        files.WriteNext("new certificate", "new key");
        File.Move(files.NextKeyFile, files.KeyFile, overwrite: true);
        Assert.That(files.CompleteInterruptedPromotion(), Is.True);
        Assert.That((File.ReadAllText(files.CertificateFile), File.ReadAllText(files.KeyFile)), Is.EqualTo(("new certificate", "new key")));

        // Stopped before the new pair was confirmed: the old (configured) pair stays, the unconfirmed one goes.
        files.WriteNext("newer certificate", "newer key");
        Assert.That(files.CompleteInterruptedPromotion(), Is.False);
        Assert.Multiple(() =>
        {
            Assert.That((File.ReadAllText(files.CertificateFile), File.ReadAllText(files.KeyFile)), Is.EqualTo(("new certificate", "new key")));
            Assert.That(File.Exists(files.NextCertificateFile) || File.Exists(files.NextKeyFile), Is.False);
        });
    }

    [Test]
    public void The_certificate_answer_is_read_strictly_and_garbage_never_throws()
    {
        static (bool Ok, CertificateReply? Reply, string Error) Parse(string json) =>
            (CertificateReply.TryParse(Encoding.UTF8.GetBytes(json), out var reply, out var error), reply, error);

        var issued = Parse("""{"commandId":"c1","requestId":"r1","certificate":"-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n"}""");
        var refused = Parse("""{"commandId":"c1","requestId":"r1","error":"identityMismatch","message":"not you"}""");
        Assert.Multiple(() =>
        {
            Assert.That(issued.Ok && issued.Reply!.CertificatePem is not null && issued.Reply.Error is null, Is.True, issued.Error);
            Assert.That(refused.Ok && refused.Reply!.Error == "identityMismatch" && refused.Reply.Message == "not you", Is.True, refused.Error);
            Assert.That(Parse("""{"requestId":"r1"}""").Error, Does.Contain("exactly one"));
            Assert.That(Parse("""{"requestId":"r1","certificate":"x","error":"csrInvalid"}""").Error, Does.Contain("exactly one"));
            Assert.That(Parse("""{"requestId":"r/1","error":"internal"}""").Error, Does.Contain("requestId"));
            Assert.That(Parse("""{"requestId":"r1","certificate":"not pem"}""").Error, Does.Contain("PEM"));
            Assert.That(Parse("[1]").Ok, Is.False);
            Assert.That(RenewCertificateArguments.TryParse("""{"commandId":"c","reason":"expiring"}"""u8, out var arguments, out _) && arguments!.Reason == "expiring", Is.True);
            Assert.That(RenewCertificateArguments.TryParse("""{"reason":"a\u0007b"}"""u8, out _, out var badReason), Is.False, badReason);
        });

        var random = new Random(11);
        for (var i = 0; i < 2000; i++)
        {
            var bytes = new byte[random.Next(0, 64)];
            random.NextBytes(bytes);
            Assert.DoesNotThrow(() => CertificateReply.TryParse(bytes, out _, out _));
            Assert.DoesNotThrow(() => RenewCertificateArguments.TryParse(bytes, out _, out _));
        }

        Assert.DoesNotThrow(() => CertificateReply.TryParse(Encoding.UTF8.GetBytes(new string('[', 10_000)), out _, out _), "deep nesting");
    }

    private static bool OwnerOnly(string path) => OperatingSystem.IsWindows() || File.GetUnixFileMode(path) == (UnixFileMode.UserRead | UnixFileMode.UserWrite);

    private static X509Certificate2 Issue(X509Certificate2 ca, ECDsa key, string subject, string usage, DateTimeOffset notBefore)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        return request.Create(ca, notBefore.AddMinutes(-5), notBefore.AddDays(365), RandomNumberGenerator.GetBytes(12));
    }
}
