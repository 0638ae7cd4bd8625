using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Kiosk.Agent.Configuration;
using Kiosk.Ctl.Files;
using Kiosk.Ctl.Config;
using Spectre.Console;

namespace Kiosk.Ctl.Enrollment;

/// <summary>
/// <c>kioskctl init</c>: names the kiosk, makes its private key (ECDSA P-256, here, never sent anywhere) and a
/// certificate request for it, and writes the broker into the configuration file. <c>kioskctl enroll</c> follows.
/// </summary>
internal static class InitCommand
{
    public static Command Create()
    {
        var site = new Option<string>("--site") { Description = "Office (site) id as the platform knows it: 1-64 letters, digits, '-' or '_' (Kiosk:SiteId).", Required = true };
        var kiosk = new Option<string>("--kiosk") { Description = "Terminal id, unique in the site (Kiosk:KioskId).", Required = true };
        var broker = new Option<string>("--broker") { Description = "The platform's broker as mqtts://HOST:PORT (Kiosk:Sync:BrokerHost and BrokerPort).", Required = true };
        var provisioningPort = new Option<int?>("--provisioning-port") { Description = $"Port of the broker's provisioning listener, used once by 'kioskctl enroll' (default {KioskIdentity.DefaultProvisioningPort})." };
        var config = new Option<FileInfo?>("--config") { Description = $"The agent's configuration file (default: ${KioskConfigFile.EnvironmentVariable}, else {KioskConfigFile.DefaultPath}). The key goes to pki/ next to it." };
        var force = new Option<bool>("--force") { Description = "Replace an existing device key (the kiosk must then be enrolled again)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var command = new Command("init", "Name this kiosk, make its private key and certificate request, and write the broker into its configuration.")
        {
            site, kiosk, broker, provisioningPort, config, force, json,
        };
        command.SetAction(result => Run(
            result.GetValue(site)!,
            result.GetValue(kiosk)!,
            result.GetValue(broker)!,
            result.GetValue(provisioningPort) ?? KioskIdentity.DefaultProvisioningPort,
            result.GetValue(config)?.FullName ?? KioskConfigFile.DefaultPath,
            result.GetValue(force),
            result.GetValue(json)));
        return command;
    }

    private static int Run(string siteId, string kioskId, string brokerText, int provisioningPort, string configPath, bool force, bool json)
    {
        foreach (var (name, id) in new[] { ("--site", siteId), ("--kiosk", kioskId) })
        {
            if (!KioskIdentity.IsValid(id))
            {
                return Output.Error($"{name} '{id}' is not valid: use 1-64 letters, digits, '-' or '_'", ExitCodes.Usage);
            }
        }

        if (KioskIdentity.ParseBroker(brokerText, out var problem) is not { } broker)
        {
            return Output.Error(problem, ExitCodes.Usage);
        }

        var (host, port) = broker;

        if (provisioningPort is < 1 or > 65535)
        {
            return Output.Error($"--provisioning-port {provisioningPort} is not a TCP port (1..65535)", ExitCodes.Usage);
        }

        ConfigFile config;
        try
        {
            config = ConfigFile.LoadOrEmpty(configPath);
        }
        catch (Exception ex) when (ex is ConfigFileException or IOException or UnauthorizedAccessException)
        {
            return Output.Error($"cannot read the configuration: {ex.Message}; fix or move the file, then run init again", ExitCodes.IoError);
        }

        var pki = new PkiFiles(config.PkiFolder);
        if (File.Exists(pki.DeviceKey) && !force)
        {
            return Output.Error($"{pki.DeviceKey} already exists: this kiosk already has a key (and may be enrolled). Give --force to replace it; the kiosk must then be enrolled again with a new token.", ExitCodes.CheckFailed);
        }

        if (PkiFiles.UntrustedLink(pki.DeviceKey, pki.DeviceCsr, pki.DeviceCertificate, config.Path) is { } link)
        {
            return Output.Error(link, ExitCodes.IoError);
        }

        var replacedCertificate = false;
        try
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest(new X500DistinguishedName("CN=" + KioskIdentity.CommonName(siteId, kioskId)), key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
            PkiFiles.WriteAtomically(pki.DeviceKey, key.ExportPkcs8PrivateKeyPem() + "\n", PkiFiles.OwnerOnly);
            PkiFiles.WriteAtomically(pki.DeviceCsr, request.CreateSigningRequestPem() + "\n", PkiFiles.Public);

            // A certificate from an earlier enrollment belongs to the old key: it can never be used again.
            if (File.Exists(pki.DeviceCertificate))
            {
                File.Delete(pki.DeviceCertificate);
                replacedCertificate = true;
            }

            config.Set("Kiosk:SiteId", siteId);
            config.Set("Kiosk:KioskId", kioskId);
            config.Set("Kiosk:Profile", "production");
            config.Set("Kiosk:Sync:BrokerHost", host);
            config.Set("Kiosk:Sync:BrokerPort", port);
            config.Set("Kiosk:Sync:Tls:Enabled", false);
            config.Set("Kiosk:Sync:Tls:ClientKeyFile", pki.DeviceKey);
            config.Set("Kiosk:Sync:Tls:ClientCertificateFile", null);
            config.Set("Kiosk:Provisioning:Port", provisioningPort);
            config.Save();
        }
        catch (UntrustedLinkException ex)
        {
            return Output.Error($"cannot write the key or the configuration: {ex.Message}", ExitCodes.IoError);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Output.Error($"cannot write the key or the configuration: {ex.Message} (run as the user that may write {config.Path})", ExitCodes.IoError);
        }

        var next = $"kioskctl enroll --token <one-time token> --ca <platform CA file>{(configPath == KioskConfigFile.DefaultPath ? "" : $" --config {config.Path}")}";
        if (json)
        {
            Output.Json(new
            {
                siteId,
                kioskId,
                commonName = KioskIdentity.CommonName(siteId, kioskId),
                broker = new { host, port, provisioningPort },
                config = config.Path,
                key = pki.DeviceKey,
                csr = pki.DeviceCsr,
                replacedCertificate,
                next,
            });
        }
        else
        {
            var table = new Table().AddColumns("", "").HideHeaders();
            table.AddRow("kiosk", Markup.Escape($"{kioskId} of site {siteId} (CN={KioskIdentity.CommonName(siteId, kioskId)})"));
            table.AddRow("broker", Markup.Escape($"{host}:{port}, provisioning port {provisioningPort}"));
            table.AddRow("device key", Markup.Escape(pki.DeviceKey + " (ECDSA P-256, mode 0600, never leaves this kiosk)"));
            table.AddRow("certificate request", Markup.Escape(pki.DeviceCsr));
            table.AddRow("configuration", Markup.Escape(config.Path));
            if (replacedCertificate)
            {
                table.AddRow("[yellow]old certificate[/]", "removed: it belonged to the replaced key; enroll again");
            }

            table.AddRow("next", Markup.Escape(next));
            AnsiConsole.Write(table);
        }

        return ExitCodes.Ok;
    }
}
