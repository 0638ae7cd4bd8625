using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kiosk.Agent.Hosting;
using Spectre.Console;

namespace Kiosk.Ctl.Enrollment;

/// <summary>
/// <c>kioskctl enroll</c>: sends the certificate request made by <c>init</c> with a one-time token to the platform over
/// the broker's provisioning listener (TLS, the broker checked against the CA file the technician brings), checks the
/// certificate that comes back belongs to this kiosk's key, and writes it, the platform's CA and its command-signing
/// key next to the key, then turns on mutual TLS in the configuration.
/// </summary>
internal static class EnrollCommand
{
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    public static Command Create()
    {
        var token = new Option<string>("--token") { Description = "The one-time enrollment token the platform operator gave for this kiosk.", Required = true };
        var ca = new Option<FileInfo?>("--ca") { Description = "PEM of the platform's CA (bundle) that the broker's certificate must chain to (default: Kiosk:Sync:Tls:CaFile)." };
        var config = new Option<FileInfo?>("--config") { Description = $"The agent's configuration file written by 'kioskctl init' (default: ${KioskConfigFile.EnvironmentVariable}, else {KioskConfigFile.DefaultPath})." };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for the platform's answer (default 30).", DefaultValueFactory = _ => 30 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var command = new Command("enroll", "Get this kiosk's certificate from the platform with a one-time token (after 'kioskctl init').") { token, ca, config, timeout, json };
        command.SetAction((result, cancellationToken) => RunAsync(
            result.GetValue(token)!.Trim(),
            result.GetValue(ca)?.FullName,
            result.GetValue(config)?.FullName ?? KioskConfigFile.DefaultPath,
            TimeSpan.FromSeconds(result.GetValue(timeout)),
            result.GetValue(json),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string token, string? caFile, string configPath, TimeSpan timeout, bool json, CancellationToken cancellationToken)
    {
        if (token.Length == 0)
        {
            return Fail(json, "usage", "--token is empty: give the one-time token the platform operator issued for this kiosk", ExitCodes.Usage);
        }

        if (timeout < TimeSpan.FromSeconds(1) || timeout > TimeSpan.FromMinutes(10))
        {
            return Fail(json, "usage", "--timeout must be 1..600 seconds", ExitCodes.Usage);
        }

        KioskConfig config;
        try
        {
            config = KioskConfig.Load(configPath);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            return Fail(json, "config", $"cannot read the configuration: {ex.Message}", ExitCodes.IoError);
        }

        var siteId = config.Get("Kiosk:SiteId") ?? "";
        var kioskId = config.Get("Kiosk:KioskId") ?? "";
        var host = config.Get("Kiosk:Sync:BrokerHost") ?? "";
        var pki = new PkiFiles(config.PkiFolder);
        if (!config.Exists || !KioskIdentity.IsValid(siteId) || !KioskIdentity.IsValid(kioskId) || host.Length == 0 || !File.Exists(pki.DeviceKey) || !File.Exists(pki.DeviceCsr))
        {
            return Fail(json, "notInitialized", $"{config.Path} has no kiosk identity, broker or key yet: run 'kioskctl init --site S --kiosk K --broker mqtts://HOST:PORT' first (or give --config)", ExitCodes.Usage);
        }

        var port = config.GetInt("Kiosk:Provisioning:Port") ?? KioskIdentity.DefaultProvisioningPort;
        caFile ??= config.Get("Kiosk:Sync:Tls:CaFile");
        if (caFile is null || !File.Exists(caFile))
        {
            return Fail(json, "usage", caFile is null ? "give --ca: the platform's CA file, to check the broker is the platform's" : $"the CA file {caFile} does not exist", ExitCodes.Usage);
        }

        // Refused now, before the token is spent: a link the service user planted where enroll writes (Files/TrustedPath.cs).
        if (PkiFiles.UntrustedLink(pki.DeviceCertificate, pki.Ca, pki.CommandSigningKey, config.Path) is { } link)
        {
            return Fail(json, "unsafeFiles", $"{link}; nothing was sent, the token is not spent", ExitCodes.IoError);
        }

        using var key = ECDsa.Create();
        string csr;
        X509Certificate2Collection trusted;
        try
        {
            key.ImportFromPem(File.ReadAllText(pki.DeviceKey));
            csr = File.ReadAllText(pki.DeviceCsr);
            trusted = PlatformExchange.LoadCertificates(caFile);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            return Fail(json, "files", $"cannot read the key, the request or the CA file: {ex.Message}", ExitCodes.IoError);
        }

        if (RequestProblem(csr, key, siteId, kioskId) is { } requestProblem)
        {
            return Fail(json, "notInitialized", $"{pki.DeviceCsr} {requestProblem}: run 'kioskctl init --force' with this kiosk's ids to make a matching key and request", ExitCodes.Usage);
        }

        var endpoint = new PlatformEndpoint(host, port, trusted, config.Get("Kiosk:Sync:Tls:TargetHost"));
        var request = JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["token"] = token, ["csr"] = csr });
        var replyTopic = KioskIdentity.EnrollReplyTopic(siteId, kioskId, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
        var exchange = await PlatformExchange.SendAsync(endpoint, KioskIdentity.EnrollTopic(siteId, kioskId), replyTopic, request, timeout, cancellationToken).ConfigureAwait(false);
        var diagnose = $"run 'kioskctl diagnose --broker {host}:{port} --ca {caFile}' to find out why";
        switch (exchange.Status)
        {
            case ExchangeStatus.Unreachable:
                return Fail(json, "unreachable", $"cannot reach the platform's provisioning listener {host}:{port}: {exchange.Detail}; {diagnose}", ExitCodes.IoError);
            case ExchangeStatus.NotAuthorized:
                return Fail(json, "notAuthorized", $"{exchange.Detail}: is {port} the broker's provisioning port (Kiosk:Provisioning:Port, kioskctl init --provisioning-port)?", ExitCodes.CheckFailed);
            case ExchangeStatus.NoAnswer:
                return Fail(json, "noAnswer", $"the platform did not answer within {timeout.TotalSeconds:0} s: is the platform running? {diagnose}", ExitCodes.IoError);
        }

        var reply = EnrollmentReply.Read(exchange.Payload!);
        if (reply is null)
        {
            return Fail(json, "badReply", "the platform's answer is not an enrollment reply (docs/mqtt-contract.md, Provisioning): check kioskctl and the platform speak the same contract version", ExitCodes.CheckFailed);
        }

        if (reply.Error is { } error)
        {
            return Fail(json, error, $"enrollment refused: {Advice(error)} (platform: {reply.Message ?? error})", ExitCodes.CheckFailed);
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPem(reply.Certificate);
        }
        catch (CryptographicException ex)
        {
            return Fail(json, "badReply", $"the platform's certificate cannot be read ({ex.Message}); nothing was written", ExitCodes.CheckFailed);
        }

        using (certificate)
        {
            if (CertificateProblem(certificate, key, siteId, kioskId, reply.CaChain!) is { } problem)
            {
                return Fail(json, "badCertificate", problem + "; nothing was written: report it to the platform operator", ExitCodes.CheckFailed);
            }

            if (KeyProblem(reply.CommandSigningKey!) is { } keyProblem)
            {
                return Fail(json, "badReply", keyProblem + "; nothing was written", ExitCodes.CheckFailed);
            }

            try
            {
                PkiFiles.WriteAtomically(pki.DeviceCertificate, certificate.ExportCertificatePem() + "\n", PkiFiles.Public);
                PkiFiles.WriteAtomically(pki.Ca, reply.CaChain!, PkiFiles.Public);
                PkiFiles.WriteAtomically(pki.CommandSigningKey, reply.CommandSigningKey!, PkiFiles.Public);
                config.Set("Kiosk:Sync:Tls:Enabled", true);
                config.Set("Kiosk:Sync:Tls:CaFile", pki.Ca);
                config.Set("Kiosk:Sync:Tls:ClientCertificateFile", pki.DeviceCertificate);
                config.Set("Kiosk:Sync:Tls:ClientKeyFile", pki.DeviceKey);
                config.Set("Kiosk:Provisioning:CommandSigningKeyFile", pki.CommandSigningKey);
                config.Save();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return Fail(json, "files", $"the certificate was issued but cannot be written: {ex.Message}; fix the permissions and ask for a new token (this one is spent)", ExitCodes.IoError);
            }

            var skew = reply.PlatformTime is { } platformTime ? platformTime - exchange.Midpoint : (TimeSpan?)null;
            Report(json, siteId, kioskId, certificate, pki, config, skew);
        }

        return ExitCodes.Ok;
    }

    /// <summary>What the technician does about each refusal (docs/mqtt-contract.md, Provisioning, error codes).</summary>
    private static string Advice(string code) => code switch
    {
        "tokenUsed" => "token already used: ask the platform operator for a new one-time token",
        "tokenExpired" => "token expired: ask the platform operator for a new one-time token and enroll before it expires",
        "tokenUnknown" => "the platform does not know this token: check it was typed exactly, or ask the platform operator for a new one",
        "identityMismatch" => "the token or the request is for another kiosk: check Kiosk:SiteId and Kiosk:KioskId are the ids the operator registered (kioskctl init --site --kiosk), or ask for a token for this kiosk",
        "csrInvalid" => "the platform refused the certificate request: run 'kioskctl init --force' to make a new key and request, then enroll again (the token is not spent)",
        "malformed" => "the platform could not read the request: check kioskctl and the platform speak the same contract version",
        _ => $"the platform refused with '{code}': report it to the platform operator",
    };

    private static string? RequestProblem(string csrPem, ECDsa key, string siteId, string kioskId)
    {
        try
        {
            var request = CertificateRequest.LoadSigningRequestPem(csrPem, HashAlgorithmName.SHA256);
            if (!request.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
            {
                return "is not for the key in device.key";
            }

            var expected = "CN=" + KioskIdentity.CommonName(siteId, kioskId);
            return request.SubjectName.Name == expected ? null : $"is for '{request.SubjectName.Name}', not {expected} (Kiosk:SiteId, Kiosk:KioskId)";
        }
        catch (CryptographicException ex)
        {
            return $"cannot be read ({ex.Message})";
        }
    }

    /// <summary>Why the certificate must not be used: another key, another kiosk, not from the platform's CA, or not for client authentication.</summary>
    private static string? CertificateProblem(X509Certificate2 certificate, ECDsa key, string siteId, string kioskId, string caChainPem)
    {
        if (!certificate.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
        {
            return "the platform returned a certificate for another key";
        }

        var commonName = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        if (commonName != KioskIdentity.CommonName(siteId, kioskId))
        {
            return $"the platform returned a certificate for '{commonName}', not {KioskIdentity.CommonName(siteId, kioskId)}";
        }

        if (!certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Any(e => e.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == ClientAuth.Value)))
        {
            return "the platform's certificate is not for TLS client authentication (no clientAuth extended key usage)";
        }

        var cas = new X509Certificate2Collection();
        try
        {
            cas.ImportFromPem(caChainPem);
            if (cas.Count == 0)
            {
                return "the platform's answer has no CA certificate in caChain";
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(cas);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;

            // Dates are reported (and diagnose checks the clock); here only the signatures matter.
            chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid | X509VerificationFlags.IgnoreCtlNotTimeValid;
            return chain.Build(certificate)
                ? null
                : $"the platform's certificate does not chain to the CA it sent ({string.Join(", ", chain.ChainStatus.Select(s => s.Status))})";
        }
        catch (CryptographicException ex)
        {
            return $"the platform's caChain cannot be read ({ex.Message})";
        }
        finally
        {
            foreach (var ca in cas)
            {
                ca.Dispose();
            }
        }
    }

    private static string? KeyProblem(string publicKeyPem)
    {
        try
        {
            using var ec = ECDsa.Create();
            ec.ImportFromPem(publicKeyPem);
            return null;
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            try
            {
                using var rsa = RSA.Create();
                rsa.ImportFromPem(publicKeyPem);
                return null;
            }
            catch (Exception inner) when (inner is ArgumentException or CryptographicException)
            {
                return $"the platform's command-signing key is not a PEM public key ({inner.Message})";
            }
        }
    }

    private static void Report(bool json, string siteId, string kioskId, X509Certificate2 certificate, PkiFiles pki, KioskConfig config, TimeSpan? skew)
    {
        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime());
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
        if (json)
        {
            Output.Json(new
            {
                enrolled = true,
                siteId,
                kioskId,
                certificate = new { subject = certificate.Subject, issuer = certificate.Issuer, serialNumber = certificate.SerialNumber, notBefore, notAfter },
                files = new { certificate = pki.DeviceCertificate, ca = pki.Ca, commandSigningKey = pki.CommandSigningKey, key = pki.DeviceKey },
                config = config.Path,
                clockSkewSeconds = skew is { } s ? Math.Round(s.TotalSeconds, 3) : (double?)null,
            });
            return;
        }

        var table = new Table().AddColumns("", "").HideHeaders();
        table.AddRow("enrolled", Markup.Escape($"kiosk {kioskId} of site {siteId}"));
        table.AddRow("certificate", Markup.Escape($"{certificate.Subject}, serial {certificate.SerialNumber}, issued by {certificate.Issuer}"));
        table.AddRow("valid", Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{notBefore:u} to {notAfter:u}")));
        table.AddRow("files", Markup.Escape($"{pki.DeviceCertificate}\n{pki.Ca}\n{pki.CommandSigningKey}"));
        table.AddRow("configuration", Markup.Escape($"{config.Path}: Kiosk:Sync:Tls enabled"));
        if (skew is { } clock && clock.Duration() > TimeSpan.FromSeconds(30))
        {
            table.AddRow("[yellow]clock[/]", Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"this kiosk's clock is {Math.Abs(clock.TotalSeconds):0} s {(clock > TimeSpan.Zero ? "behind" : "ahead of")} the platform's: turn on time sync (timedatectl set-ntp true)")));
        }

        table.AddRow("next", Markup.Escape($"restart the agent, then check the link: kioskctl diagnose --broker {config.Get("Kiosk:Sync:BrokerHost")}:{config.Get("Kiosk:Sync:BrokerPort")} --ca {pki.Ca} --cert {pki.DeviceCertificate} --key {pki.DeviceKey}"));
        AnsiConsole.Write(table);
    }

    private static int Fail(bool json, string code, string message, int exitCode)
    {
        if (json)
        {
            Output.Json(new { enrolled = false, error = code, message });
        }

        return Output.Error(message, exitCode);
    }
}
