using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Kiosk.Ctl.Enrollment;

namespace Kiosk.Ctl.Diagnose;

/// <summary>
/// Clock skew against the platform: over mutual TLS, asks <c>kiosk/v1/provisioning/time</c> (docs/mqtt-contract.md,
/// "Provisioning") and compares the answer with the midpoint between sending and receiving on this kiosk's clock.
/// </summary>
internal static class ClockCheck
{
    public const string Name = "clock";

    /// <summary>More than this and certificates (valid from/until) and record times can no longer be trusted.</summary>
    public static readonly TimeSpan MaxSkew = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(5);

    private const string TimeSyncFix = "turn on time sync with 'timedatectl set-ntp true' and check the NTP server is reachable ('timedatectl timesync-status'); TLS certificates and the times of check-in records depend on the kiosk's clock";

    public static async Task<DiagnosticCheck> RunAsync(string host, int port, string caFile, string certFile, string keyFile, CancellationToken cancellationToken)
    {
        X509Certificate2Collection trusted;
        X509Certificate2 clientCertificate;
        try
        {
            trusted = PlatformExchange.LoadCertificates(caFile);
            using var pem = X509Certificate2.CreateFromPemFile(certFile, keyFile);
            clientCertificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            return new(Name, false, $"cannot load the CA or this kiosk's certificate: {ex.Message}", "check --ca, --cert and --key are the files kioskctl enroll wrote");
        }

        using (clientCertificate)
        {
            var replyTopic = KioskIdentity.TimeReplyTopic(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
            var exchange = await PlatformExchange.SendAsync(new PlatformEndpoint(host, port, trusted, null, clientCertificate), KioskIdentity.TimeTopic, replyTopic, "{}"u8.ToArray(), AnswerTimeout, cancellationToken).ConfigureAwait(false);
            foreach (var ca in trusted)
            {
                ca.Dispose();
            }

            return exchange.Status switch
            {
                ExchangeStatus.Answered => Judge(exchange),
                ExchangeStatus.NoAnswer => new(Name, false, $"the platform did not answer a time request within {AnswerTimeout.TotalSeconds:0} s", "is the platform running? Ask the platform team whether it is connected to this broker"),
                ExchangeStatus.NotAuthorized => new(Name, false, $"could not ask the platform the time: {exchange.Detail}", "the broker's ACL must let kiosks publish kiosk/v1/provisioning/time and read kiosk/v1/provisioning/time/reply/#"),
                _ => new(Name, false, $"could not ask the platform the time: {exchange.Detail}", "see the tls checks above"),
            };
        }
    }

    private static DiagnosticCheck Judge(ExchangeResult exchange)
    {
        if (EnrollmentReply.ReadPlatformTime(exchange.Payload!) is not { } platformTime)
        {
            return new(Name, false, "the platform's time answer has no platformTime", "check kioskctl and the platform speak the same contract version (docs/mqtt-contract.md)");
        }

        // Positive: the platform is ahead, so this kiosk's clock is behind.
        var skew = platformTime - exchange.Midpoint;
        var roundTrip = exchange.RoundTrip.TotalMilliseconds;
        var seconds = Math.Abs(skew.TotalSeconds);
        var direction = skew > TimeSpan.Zero ? "behind" : "ahead of";
        return skew.Duration() > MaxSkew
            ? new(Name, false, string.Create(CultureInfo.InvariantCulture, $"this kiosk's clock is {seconds:0} s {direction} the platform's (skew {skew.TotalSeconds:+0;-0} s, more than {MaxSkew.TotalSeconds:0} s; round trip {roundTrip:0} ms)"), TimeSyncFix)
            : new(Name, true, string.Create(CultureInfo.InvariantCulture, $"within {seconds:0.0} s of the platform's clock (round trip {roundTrip:0} ms)"));
    }
}
