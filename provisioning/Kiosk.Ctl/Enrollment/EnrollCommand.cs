using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kiosk.Agent.Configuration;
using Kiosk.Ctl.Config;
using Spectre.Console;

namespace Kiosk.Ctl.Enrollment;

/// <summary>
/// <c>kioskctl enroll</c>: sends the certificate request made by <c>init</c> with a one-time token to the platform over
/// the broker's provisioning listener, and writes the certificate that comes back, the platform's CA and its
/// command-signing key next to the key, then turns on mutual TLS in the configuration. The CA file is the only trust
/// anchor (Enrollment/EnrollmentChecks.cs): the broker's TLS certificate, the issued certificate and every CA in the
/// reply's caChain must chain to it; an answer that does not is refused and nothing is written.
/// </summary>
internal static class EnrollCommand
{
    /// <summary>What <c>kioskctl enroll --help</c> says about trust (README.md, "Installing and provisioning a kiosk", says the same).</summary>
    public const string TrustHelp =
        "Trust: the CA file (--ca) is the only trust anchor. The broker's TLS certificate, the certificate the platform issues and "
        + "every CA certificate in its answer must chain to a certificate in that file, or enroll refuses and writes nothing; "
        + "pki/ca.crt gets only CA certificates that do. Without --ca the CA an earlier enrollment stored (Kiosk:Sync:Tls:CaFile) is the "
        + "anchor, for enrolling again; a first enrollment needs --ca. Nothing the broker presents during the TLS handshake is ever trusted by itself.";

    public static Command Create()
    {
        var token = new Option<string>("--token") { Description = "The one-time enrollment token the platform operator gave for this kiosk.", Required = true };
        var ca = new Option<FileInfo?>("--ca")
        {
            Description = "PEM file of the platform's CA certificate(s) from the platform operator; it may hold several (a CA rotation). "
                + "The broker, the issued certificate and the CAs the platform sends must chain to one of them (default: Kiosk:Sync:Tls:CaFile, the CA an earlier enrollment stored).",
        };
        var config = new Option<FileInfo?>("--config") { Description = $"The agent's configuration file written by 'kioskctl init' (default: ${KioskConfigFile.EnvironmentVariable}, else {KioskConfigFile.DefaultPath})." };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for the platform's answer (default 30).", DefaultValueFactory = _ => 30 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var command = new Command("enroll", "Get this kiosk's certificate from the platform with a one-time token (after 'kioskctl init').\n\n" + TrustHelp) { token, ca, config, timeout, json };
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

        ConfigFile config;
        try
        {
            config = ConfigFile.LoadOrEmpty(configPath);
        }
        catch (Exception ex) when (ex is ConfigFileException or IOException or UnauthorizedAccessException)
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
            return Fail(json, "usage", caFile is null ? "give --ca: the platform's CA file from the platform operator; it is what tells the platform's broker and certificates from anyone else's" : $"the CA file {caFile} does not exist", ExitCodes.Usage);
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

        if (EnrollmentChecks.RequestProblem(csr, key, siteId, kioskId) is { } requestProblem)
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
            if (EnrollmentChecks.CertificateProblem(certificate, key, siteId, kioskId) is { } problem)
            {
                return Fail(json, "badCertificate", problem + "; nothing was written: report it to the platform operator", ExitCodes.CheckFailed);
            }

            if (EnrollmentChecks.TrustProblem(certificate, reply.CaChain!, trusted, caFile, out var caPem) is { } trustProblem)
            {
                return Fail(json, "untrustedCertificate", trustProblem + "; nothing was written: report it to the platform operator and ask for a new token (this one may be spent)", ExitCodes.CheckFailed);
            }

            if (EnrollmentChecks.KeyProblem(reply.CommandSigningKey!) is { } keyProblem)
            {
                return Fail(json, "badReply", keyProblem + "; nothing was written", ExitCodes.CheckFailed);
            }

            try
            {
                PkiFiles.WriteAtomically(pki.DeviceCertificate, certificate.ExportCertificatePem() + "\n", PkiFiles.Public);
                PkiFiles.WriteAtomically(pki.Ca, caPem, PkiFiles.Public);
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

    private static void Report(bool json, string siteId, string kioskId, X509Certificate2 certificate, PkiFiles pki, ConfigFile config, TimeSpan? skew)
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
