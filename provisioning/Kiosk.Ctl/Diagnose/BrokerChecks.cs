using Kiosk.Agent.Tls;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Kiosk.Ctl.Diagnose;

/// <summary>DNS, TCP, TLS handshake and certificate checks against the broker, each failure with its fix.</summary>
internal static class BrokerChecks
{
    public static async Task<IReadOnlyList<DiagnosticCheck>> RunAsync(string host, int port, string? caFile, string? certFile, string? keyFile, TimeProvider time, CancellationToken cancellationToken)
    {
        var checks = new List<DiagnosticCheck>();
        IPAddress[] addresses;
        try
        {
            addresses = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
            checks.Add(new("dns", true, $"{host} is {string.Join(", ", addresses.Select(a => a.ToString()))}"));
        }
        catch (SocketException ex)
        {
            checks.Add(new("dns", false, $"{host} does not resolve: {ex.Message}", "check the broker host name in Kiosk:Sync:BrokerHost and the kiosk's DNS server"));
            return checks;
        }

        using var client = new TcpClient();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token))
        {
            try
            {
                await client.ConnectAsync(addresses, port, linked.Token).ConfigureAwait(false);
                checks.Add(new("tcp", true, $"{host}:{port} accepts connections"));
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                var why = ex is SocketException { SocketErrorCode: SocketError.ConnectionRefused } ? "refused: nothing listens on that port" : ex is OperationCanceledException ? "no answer within 5 s: a firewall may drop it" : ex.Message;
                checks.Add(new("tcp", false, $"{host}:{port} {why}", "check Kiosk:Sync:BrokerPort (8883 for TLS, 1883 plain) and that the office firewall lets the kiosk reach the broker"));
                return checks;
            }
        }

        if (caFile is null)
        {
            checks.Add(new("tls", false, "no CA file given, so the broker's identity was not checked", "give --ca (and --cert/--key) as written by kioskctl enroll; a production kiosk talks to the broker only over mutual TLS"));
            return checks;
        }

        // The CA file as the agent reads it: every CA of it (a rotation holds the old and the new), roots and intermediates.
        CaBundle ca;
        try
        {
            ca = CaBundle.Load(caFile);
        }
        catch (Microsoft.Extensions.Options.OptionsValidationException ex)
        {
            checks.Add(new("tls", false, string.Join(" ", ex.Failures), "give the platform's CA file with --ca (kioskctl enroll stores it as pki/ca.crt)"));
            return checks;
        }

        using var trust = ca;
        X509Certificate2? clientCertificate = null;
        if (certFile is not null && keyFile is not null)
        {
            using var pem = X509Certificate2.CreateFromPemFile(certFile, keyFile);
            clientCertificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
            checks.Add(CertificateDates("client certificate", clientCertificate, time, "run 'kioskctl enroll' again to get a fresh certificate"));
        }

        using (clientCertificate)
        {
            checks.AddRange(await HandshakeAsync(client.GetStream(), host, ca, clientCertificate, time, cancellationToken).ConfigureAwait(false));
        }

        return checks;
    }

    private static async Task<IReadOnlyList<DiagnosticCheck>> HandshakeAsync(NetworkStream stream, string host, CaBundle ca, X509Certificate2? clientCertificate, TimeProvider time, CancellationToken cancellationToken)
    {
        X509Certificate2? presented = null;
        X509ChainStatusFlags chainProblems = X509ChainStatusFlags.NoError;
        var nameMismatch = false;
        string? verdict = null;
        using var tls = new SslStream(stream, leaveInnerStreamOpen: false, (_, certificate, _, errors) =>
        {
            if (certificate is null)
            {
                return false;
            }

            presented = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(ca.Roots);
            chain.ChainPolicy.ExtraStore.AddRange(ca.Intermediates);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.DisableCertificateDownloads = true;
            chain.Build(presented);
            verdict = BrokerCertificateCheck.Problem(presented, [], errors, ca, host);
            chainProblems = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status);
            nameMismatch = errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) && !MatchesIp(presented, host);
            return true; // decide below, with a message, instead of failing the handshake blind
        });

        var checks = new List<DiagnosticCheck>();
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = host,
                ClientCertificates = clientCertificate is null ? null : [clientCertificate],
            }, cancellationToken).ConfigureAwait(false);
            checks.Add(await MqttSessionAsync(tls, cancellationToken).ConfigureAwait(false) is { } refusal
                ? new("tls handshake", false, refusal, "the broker refused this kiosk's certificate: check it was issued by the platform's CA (kioskctl enroll) and is in date")
                : new("tls handshake", true, $"{tls.SslProtocol} with {tls.NegotiatedCipherSuite}; the broker answered an MQTT CONNECT"));
        }
        catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException)
        {
            checks.Add(new("tls handshake", false, $"the broker ended the handshake: {ex.InnerException?.Message ?? ex.Message}", "the broker refused this kiosk's certificate: check it was issued by the platform's CA (kioskctl enroll) and is in date"));
        }

        if (presented is null)
        {
            return checks;
        }

        using (presented)
        {
            var fromOtherCa = (chainProblems & (X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain | X509ChainStatusFlags.NotSignatureValid)) != 0;
            var roots = string.Join(", ", ca.Roots.Select(r => $"'{r.Subject}'"));
            checks.Add(fromOtherCa
                ? new("broker certificate chain", false, $"'{presented.Subject}' issued by '{presented.Issuer}' does not chain to the enrolled CA ({roots})", "the broker is not the platform's, or the CA file is wrong: compare Kiosk:Sync:Tls:CaFile with the platform's CA before trusting it")
                : new("broker certificate chain", true, $"'{presented.Subject}' chains to {roots}"));
            checks.Add(nameMismatch
                ? new("broker certificate name", false, $"'{presented.Subject}' is not issued for {host}", "connect by the name on the certificate (Kiosk:Sync:Tls:TargetHost) or have the broker's certificate reissued")
                : new("broker certificate name", true, $"issued for {host}"));
            checks.Add(CertificateDates("broker certificate", presented, time, "the broker's certificate must be renewed by the platform team"));

            // The agent's own verdict (chain, dates, name, TLS server use), so diagnose and the agent never disagree.
            checks.Add(verdict is null
                ? new("broker certificate trust", true, "the agent would trust this broker")
                : new("broker certificate trust", false, verdict, "the agent will not connect to this broker: see the reason"));
        }

        return checks;
    }

    /// <summary>
    /// With TLS 1.3 the broker judges the client certificate after the client's handshake has finished, so only a
    /// first MQTT exchange shows whether it was accepted: a minimal MQTT 3.1.1 CONNECT (OASIS MQTT 3.1.1, 3.1) must get
    /// a CONNACK (first byte 0x20). Returns why not, or null.
    /// </summary>
    private static async Task<string?> MqttSessionAsync(SslStream tls, CancellationToken cancellationToken)
    {
        var clientId = "kioskctl-diagnose"u8.ToArray();
        byte[] connect = [0x10, (byte)(12 + clientId.Length), 0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x04, 0x02, 0x00, 0x3C, 0x00, (byte)clientId.Length, .. clientId];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await tls.WriteAsync(connect, linked.Token).ConfigureAwait(false);
            var answer = new byte[1];
            var read = await tls.ReadAsync(answer, linked.Token).ConfigureAwait(false);
            return read == 1 && answer[0] == 0x20 ? null : "the broker closed the session right after the handshake";
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
        {
            return $"the broker ended the session after the handshake: {ex.InnerException?.Message ?? ex.Message}";
        }
    }

    private static DiagnosticCheck CertificateDates(string what, X509Certificate2 certificate, TimeProvider time, string fix)
    {
        var now = time.GetUtcNow();
        if (now < certificate.NotBefore.ToUniversalTime())
        {
            return new(what + " dates", false, $"not valid before {certificate.NotBefore.ToUniversalTime():u}", "check the kiosk's clock (timedatectl), then " + fix);
        }

        if (now > certificate.NotAfter.ToUniversalTime())
        {
            return new(what + " dates", false, $"expired on {certificate.NotAfter.ToUniversalTime():u}", fix);
        }

        var left = certificate.NotAfter.ToUniversalTime() - now;
        return left < TimeSpan.FromDays(30)
            ? new(what + " dates", false, $"expires in {left.TotalDays:0} days ({certificate.NotAfter.ToUniversalTime():u})", fix)
            : new(what + " dates", true, $"valid until {certificate.NotAfter.ToUniversalTime():u}");
    }

    private static bool MatchesIp(X509Certificate2 certificate, string host) =>
        IPAddress.TryParse(host, out var address)
        && certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Any(e => e.EnumerateIPAddresses().Contains(address));
}
