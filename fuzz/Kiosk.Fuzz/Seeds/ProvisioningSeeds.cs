using System.Text;

namespace Kiosk.Fuzz.Seeds;

/// <summary>Seeds for kioskctl: the platform's enrollment and time replies (docs/schemas/provisioning-*.schema.json) and an agent.json.</summary>
internal static class ProvisioningSeeds
{
    public static IEnumerable<(string Target, string Name, byte[] Bytes)> All()
    {
        yield return ("enrollment-reply", "certificate.json", Utf8("""{"certificate":"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n","caChain":"-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n","commandSigningKey":"-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n","platformTime":"2025-03-01T08:00:00.000Z"}"""));
        yield return ("enrollment-reply", "token-used.json", Utf8("""{"error":"token-used","message":"this enrollment token was already used; ask the platform operator for a new one"}"""));
        yield return ("enrollment-reply", "time.json", Utf8("""{"platformTime":"2025-03-01T08:00:00+08:00"}"""));

        const string agent = """
            {
              // written by kioskctl init
              "Kiosk": {
                "SiteId": "site-1",
                "KioskId": "kiosk-01",
                "Profile": "production",
                "Sync": {
                  "BrokerHost": "broker.example",
                  "BrokerPort": 8883,
                  "Tls": { "Enabled": true, "CaFile": "pki/ca.pem", "ClientCertificateFile": "pki/kiosk.pem", "ClientKeyFile": "pki/kiosk.key" },
                },
                "Session": { "Levels": { "strict": [ "IdCard", "Face", "Fingerprint", "Signature" ] } },
                "Devices": { "IdCardReader": "Sam", "Sam": { "PortName": "/dev/ttyUSB0", "Password": "secret" } }
              }
            }
            """;
        yield return ("config-file", "agent.json", Utf8(agent));
        yield return ("config-file", "agent-bom-crlf.json", [0xEF, 0xBB, 0xBF, .. Utf8(agent.ReplaceLineEndings("\r\n"))]);
        yield return ("config-file", "empty-sections.json", Utf8("""{"Kiosk":{"Roster":{},"Session":{"Levels":[]}},"Logging":null}"""));
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
