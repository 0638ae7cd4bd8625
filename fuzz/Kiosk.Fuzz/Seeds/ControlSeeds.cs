using System.Text;
using Kiosk.Agent.Control;
using Kiosk.Agent.Session;
using Kiosk.Central.Signing;
using Kiosk.Fuzz.Harness;

namespace Kiosk.Fuzz.Seeds;

/// <summary>
/// Seeds for the platform's signed messages (the verifier, the ack path) and the bodies of cmd/roster, cmd/policy,
/// cmd/certificate and cmd/renew-certificate, and the kiosk's certificate request as the platform reads it.
/// </summary>
internal static class ControlSeeds
{
    private const string CommandId = "0193a4c1-7e2a-7b3c-9d4e-5f6a7b8c9d0e";

    /// <summary>A self-signed P-256 certificate and a PKCS#10 request for kiosk-01 of site-1 (openssl; their key was thrown away).</summary>
    private const string CertificatePem = """
        -----BEGIN CERTIFICATE-----
        MIIBQjCB6QIUP57XXdkXs5vmP/jyz+TgcOP+/G4wCgYIKoZIzj0EAwIwJDEPMA0G
        A1UECgwGc2l0ZS0xMREwDwYDVQQDDAhraW9zay0wMTAeFw0yNjEyMDYxOTQ1NDFa
        Fw0yNzAzMDYxOTQ1NDFaMCQxDzANBgNVBAoMBnNpdGUtMTERMA8GA1UEAwwIa2lv
        c2stMDEwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAASnqYORf9V6TREu1ESyCVcH
        HR8gMQ+gKbRxSzuZbxa37w3caQyXItWZ8LIh1bmeYOHb+KHjXQagQ4VtSy1saNoP
        MAoGCCqGSM49BAMCA0gAMEUCIFyfAy+lHgCaWD4E1zm0H62v5TY4RmAwwW8CbiCO
        Bb2oAiEA58bjMwIWPit5wxAMqiC9lLSx4D4jjt0Kxxx0f7Fksk4=
        -----END CERTIFICATE-----
        """;

    private const string CsrPem = """
        -----BEGIN CERTIFICATE REQUEST-----
        MIHeMIGGAgEAMCQxDzANBgNVBAoMBnNpdGUtMTERMA8GA1UEAwwIa2lvc2stMDEw
        WTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAASnqYORf9V6TREu1ESyCVcHHR8gMQ+g
        KbRxSzuZbxa37w3caQyXItWZ8LIh1bmeYOHb+KHjXQagQ4VtSy1saNoPoAAwCgYI
        KoZIzj0EAwIDRwAwRAIgcMJXyDbpk9PbKgJZqjpf3oiYsMqnf0CDGgm/LD0xvEYC
        IFmlGIGA+RIHJHXEwGL3Fmjgux2tDpmj1db+lSSFJGaB
        -----END CERTIFICATE REQUEST-----
        """;

    private static readonly string Ack = """{"recordIds":["01934f6e-7c1a-7b2e-9d3f-2a4b6c8d0e1f"],"platformTime":"2025-03-01T08:00:00.000Z"}""";

    public static IEnumerable<(string Target, string Name, byte[] Bytes)> All()
    {
        var hashA = RosterEntry.HashIdNumber("11010119900307457X");
        var hashB = RosterEntry.HashIdNumber("110101199003074578");
        var fullRoster = $$"""{"commandId":"{{CommandId}}","mode":"full","version":3,"people":[{"personId":"p-1","idNumberHash":"{{hashA}}","maskedName":"张*","supervisionLevel":"normal","face":"/9j/4AAQSkZJRgABAQ==","fingerprint":"Rk1SACAyMAA="},{"personId":"p-2","idNumberHash":"{{hashB}}","maskedName":"李*明","supervisionLevel":"strict"}]}""";
        yield return ("cmd-roster", "full.json", Utf8(fullRoster));
        yield return ("cmd-roster", "delta.json", Utf8($$"""{"commandId":"{{CommandId}}","mode":"delta","version":4,"baseVersion":3,"people":[{"personId":"p-3","idNumberHash":"{{hashB}}","maskedName":"王**","supervisionLevel":"normal"}],"remove":["p-2"]}"""));
        yield return ("cmd-roster", "half-surrogate-name.json", Utf8($$"""{"commandId":"c-1","mode":"full","version":1,"people":[{"personId":"p-1","idNumberHash":"{{hashA}}","maskedName":"\ud800*","supervisionLevel":"normal"}]}"""));
        yield return ("cmd-roster", "base64-with-spaces.json", Utf8($$"""{"mode":"full","version":1,"people":[{"personId":"p-1","idNumberHash":"{{hashA}}","maskedName":"张*","supervisionLevel":"normal","face":"/9j/ 4AAQ SkZJ RgAB"}]}"""));

        var policy = """{"commandId":"c-2","version":7,"levels":{"normal":{"steps":["idCard","face","reportAnswers","signature"],"questions":[{"id":"residenceChanged","text":{"zh-CN":"住址有变化吗？","en":"Has your address changed?"},"answerType":"yesNo","required":true},{"id":"hoursWorked","text":{"zh-CN":"工作时长","en":"Hours worked"},"answerType":"number","required":false}],"faceAttempts":2,"liveness":"block","documentTypes":[],"attachmentRetentionDays":90},"strict":{"steps":["idCard","face","fingerprint","documentScan","signature"],"questions":[],"faceAttempts":3,"liveness":"flag","documentTypes":["workCertificate"],"attachmentRetentionDays":365}}}""";
        yield return ("cmd-policy", "two-levels.json", Utf8(policy));
        yield return ("cmd-policy", "choices.json", Utf8("""{"version":2,"levels":{"normal":{"steps":["idCard","reportAnswers"],"questions":[{"id":"employment","text":{"zh-CN":"就业情况","en":"Employment"},"answerType":"text","required":true,"choices":[{"value":"employed","text":{"zh-CN":"在职","en":"Employed"}},{"value":"student","text":{"zh-CN":"在读","en":"Studying"}}]},{"id":"hours","text":{"zh-CN":"工作时长","en":"Hours"},"answerType":"number","required":false,"choices":[{"value":"0","text":{"zh-CN":"没有","en":"None"}},{"value":"40","text":{"zh-CN":"全职","en":"Full time"}}]}],"faceAttempts":1,"liveness":"flag","documentTypes":[],"attachmentRetentionDays":1}}}"""));
        yield return ("cmd-policy", "level-twice-in-case.json", Utf8("""{"version":1,"levels":{"normal":{"steps":["idCard"],"questions":[],"faceAttempts":1,"liveness":"flag","documentTypes":[],"attachmentRetentionDays":1},"normal":{}}}"""));
        yield return ("cmd-policy", "half-surrogate-level.json", Utf8("""{"version":1,"levels":{"\udc00":{}}}"""));

        yield return ("cmd-certificate", "issued.json", Utf8($$"""{"commandId":"{{CommandId}}","requestId":"r-2025-03-01","certificate":{{Json(CertificatePem)}}}"""));
        yield return ("cmd-certificate", "refused.json", Utf8($$"""{"commandId":"{{CommandId}}","requestId":"r-2025-03-01","error":"csrRejected","message":"the key is not P-256"}"""));
        yield return ("cmd-certificate", "both.json", Utf8("""{"requestId":"r","certificate":"-----BEGIN CERTIFICATE-----","error":"x"}"""));
        yield return ("cmd-certificate", "half-surrogate-id.json", Utf8("""{"requestId":"\ud800","error":"x"}"""));

        yield return ("cmd-renew-certificate", "reason.json", Utf8($$"""{"commandId":"{{CommandId}}","reason":"the CA is being rotated"}"""));
        yield return ("cmd-renew-certificate", "no-reason.json", Utf8($$"""{"commandId":"{{CommandId}}"}"""));
        yield return ("cmd-renew-certificate", "control-character.json", Utf8("""{"commandId":"c","reason":"line\nbreak"}"""));
        yield return ("cmd-renew-certificate", "half-surrogate-reason.json", Utf8("""{"commandId":"c","reason":"\ud800"}"""));

        yield return ("certificate-request", "renewal.json", Utf8($$"""{"requestId":"r-2025-03-01","csr":{{Json(CsrPem)}},"reason":"expires in 29 days","currentThumbprint":"{{new string('a', 64)}}"}"""));
        yield return ("certificate-request", "csr-only.json", Utf8($$"""{"requestId":"r-1","csr":{{Json(CsrPem)}}}"""));
        yield return ("certificate-request", "half-surrogate-reason.json", Utf8($$"""{"requestId":"r-1","csr":"-----BEGIN CERTIFICATE REQUEST-----","reason":"\udfff"}"""));

        // The ack path: the payload as the platform signs it (the harness signs each input).
        yield return ("signed-ack", "records-and-time.json", Utf8(Ack));
        yield return ("signed-ack", "challenge.json", Utf8("""{"recordIds":[],"challenge":"Zm96ei1jaGFsbGVuZ2UtMDE","platformTime":"2025-03-01T08:00:01.250Z"}"""));
        yield return ("signed-ack", "not-json.bin", [0xff, 0xfe, (byte)'{']);

        // The checks after the signature: topic, header (signed by the harness), payload.
        var ack = FuzzPlatform.Topics.Ack;
        var roster = FuzzPlatform.Topics.Command("roster");
        yield return ("signed-platform-message", "ack.txt", Signed(ack, Header(ack), Ack));
        yield return ("signed-platform-message", "roster.txt", Signed(roster, Header(roster, PlatformSigner.CommandLifetime), fullRoster));
        yield return ("signed-platform-message", "other-topic.txt", Signed(FuzzPlatform.Topics.Command("policy"), Header(roster), "{}"));
        yield return ("signed-platform-message", "expired.txt", Signed(ack, Header(ack, issuedAt: FuzzPlatform.Now.AddHours(-2)), Ack));
        yield return ("signed-platform-message", "future.txt", Signed(ack, Header(ack, issuedAt: FuzzPlatform.Now.AddMinutes(10)), Ack));
        yield return ("signed-platform-message", "eight-days.txt", Signed(ack, Header(ack, TimeSpan.FromDays(8)), Ack));
        yield return ("signed-platform-message", "critical.txt", Signed(ack, """{"alg":"ES256","crit":["exp"],"kid":"k"}""", Ack));

        // The whole message as it arrives; the validly signed ones are in SignedSeeds (an ES256 signature is random).
        yield return ("platform-message", "unsigned.txt", Utf8(ack + "\n" + """{"protected":"eyJhbGciOiJub25lIn0","payload":"e30"}"""));
        yield return ("platform-message", "alg-none.txt", Utf8(ack + "\n" + """{"protected":"eyJhbGciOiJub25lIn0","payload":"e30","signature":"AA"}"""));
        yield return ("platform-message", "not-json.txt", Utf8(ack + "\n{\"protected\":"));
    }

    /// <summary>
    /// Validly signed whole messages for the platform-message target, with the refusal each gets. Not in <see cref="All"/>:
    /// ES256 signatures are random, so <c>seeds</c> writes them only when they are missing and a test checks that the
    /// committed ones still get these refusals (delete them to make them again after changing the key or the header).
    /// </summary>
    public static IEnumerable<(string Target, string Name, Func<byte[]> Make, Refusal Expected)> Signed()
    {
        var ack = FuzzPlatform.Topics.Ack;
        var roster = FuzzPlatform.Topics.Command("roster");
        yield return ("platform-message", "ack-signed.txt", () => Utf8(ack + "\n").Concat(FuzzPlatform.Sign(ack, Utf8(Ack))).ToArray(), Refusal.None);
        yield return ("platform-message", "roster-signed.txt", () => Utf8(roster + "\n").Concat(FuzzPlatform.Sign(roster, Utf8($$"""{"commandId":"{{CommandId}}","mode":"full","version":1,"people":[]}"""), PlatformSigner.CommandLifetime)).ToArray(), Refusal.None);
        yield return ("platform-message", "ack-signed-for-roster.txt", () => Utf8(ack + "\n").Concat(FuzzPlatform.Sign(roster, Utf8(Ack))).ToArray(), Refusal.WrongKiosk);
        yield return ("platform-message", "ack-expired.txt", () => Utf8(ack + "\n").Concat(FuzzPlatform.Sign(ack, Utf8(Ack), issuedAt: FuzzPlatform.Now.AddDays(-1))).ToArray(), Refusal.Expired);
        yield return ("platform-message", "ack-payload-changed.txt", () => Utf8(ack + "\n" + Encoding.UTF8.GetString(FuzzPlatform.Sign(ack, Utf8(Ack))).Replace("\"payload\":\"ey", "\"payload\":\"ez", StringComparison.Ordinal)), Refusal.BadSignature);
    }

    private static string Header(string topic, TimeSpan? lifetime = null, DateTimeOffset? issuedAt = null) =>
        Encoding.UTF8.GetString(PlatformSigner.HeaderOf(FuzzPlatform.Sign(topic, [], lifetime, issuedAt)));

    private static byte[] Signed(string topic, string header, string payload) => Utf8($"{topic}\n{header}\n{payload}");

    private static string Json(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
