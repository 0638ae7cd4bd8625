using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Kiosk.Central.Provisioning;
using Kiosk.TestSupport;
using MQTTnet;
using MQTTnet.Protocol;

namespace Kiosk.Ctl.Tests;

/// <summary>
/// kioskctl enroll does not take the platform's word for it: a reply carrying a certificate for a key that is not the
/// kiosk's own (a platform bug, or someone answering on the platform's behalf) is refused and nothing is written.
/// </summary>
[NonParallelizable]
public sealed class EnrollmentForgedReplyTests
{
    [Test]
    public async Task A_certificate_for_another_key_is_refused_and_nothing_is_written()
    {
        using var folder = new TempFolder("kioskctl-forged");
        var pki = SimulatorPki.Create(folder.File("platform"));
        await using var broker = await MosquittoBroker.StartWithTlsAsync(pki.CaCertificateFile, pki.BrokerCertificateFile, pki.BrokerKeyFile);
        var config = folder.File("etc/agent.json");
        var init = await KioskctlProcess.RunAsync("init", "--site", "site-f", "--kiosk", "kiosk-f", "--broker", $"mqtts://127.0.0.1:{broker.TlsPort}",
            "--provisioning-port", broker.ProvisioningPort.ToString(CultureInfo.InvariantCulture), "--config", config);
        Assert.That(init.ExitCode, Is.Zero, init.ToString());

        // Answers every enrollment with a certificate the CA really signed, with the right name and usage, for another key.
        using var responder = new MqttClientFactory().CreateMqttClient();
        responder.ApplicationMessageReceivedAsync += async e =>
        {
            var request = e.ApplicationMessage;
            var reply = new JsonObject
            {
                ["certificate"] = IssueForAnotherKey(pki, "CN=kiosk-site-f-kiosk-f"),
                ["caChain"] = await File.ReadAllTextAsync(pki.CaCertificateFile),
                ["commandSigningKey"] = SigningPublicKey(pki),
                ["platformTime"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            };
            await responder.PublishAsync(new MqttApplicationMessageBuilder()
                .WithTopic(request.ResponseTopic)
                .WithCorrelationData(request.CorrelationData)
                .WithPayload(reply.ToJsonString())
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build());
        };
        await responder.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(MosquittoBroker.Host, broker.Port).WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).Build());
        await responder.SubscribeAsync("kiosk/v1/provisioning/+/+/enroll", MqttQualityOfServiceLevel.AtLeastOnce);
        var before = await File.ReadAllTextAsync(config);

        var run = await KioskctlProcess.RunAsync("enroll", "--token", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "--ca", pki.CaCertificateFile, "--config", config);

        Assert.Multiple(async () =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(1), run.ToString());
            Assert.That(run.Stderr, Does.Contain("certificate for another key"));
            Assert.That(File.Exists(Path.Combine(Path.GetDirectoryName(config)!, "pki", "device.crt")), Is.False);
            Assert.That(await File.ReadAllTextAsync(config), Is.EqualTo(before), "mutual TLS is not turned on with a certificate the kiosk cannot use");
        });
    }

    private static string IssueForAnotherKey(SimulatorPkiFiles pki, string subject)
    {
        using var ca = X509Certificate2.CreateFromPemFile(pki.CaCertificateFile, pki.CaKeyFile);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, other, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        using var certificate = request.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(30), RandomNumberGenerator.GetBytes(16));
        return certificate.ExportCertificatePem();
    }

    private static string SigningPublicKey(SimulatorPkiFiles pki)
    {
        using var signing = ECDsa.Create();
        signing.ImportFromPem(File.ReadAllText(pki.CommandSigningKeyFile));
        return signing.ExportSubjectPublicKeyInfoPem();
    }
}
