namespace Kiosk.Install.Tests;

/// <summary>
/// A kiosk staged by <c>install.ps1 -Root <see cref="Root"/></c>: its paths (on an installed machine the same paths
/// without the prefix), the script's actions on it, and its kioskctl and agent run from the staging folder.
/// </summary>
public sealed class StagedKiosk(string root)
{
    /// <summary>The -Root folder.</summary>
    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>&lt;Root&gt;/opt/kiosk.</summary>
    public string ProgramFolder => Path.Combine(Root, "opt", "kiosk");

    /// <summary>&lt;Root&gt;/opt/kiosk/releases: one folder per kept version.</summary>
    public string Releases => Path.Combine(ProgramFolder, "releases");

    /// <summary>&lt;Root&gt;/opt/kiosk/current: symlink to the running release.</summary>
    public string Current => Path.Combine(ProgramFolder, "current");

    /// <summary>&lt;Root&gt;/opt/kiosk/previous: symlink to the release -Rollback returns to.</summary>
    public string Previous => Path.Combine(ProgramFolder, "previous");

    /// <summary>&lt;Root&gt;/etc/kiosk.</summary>
    public string ConfigFolder => Path.Combine(Root, "etc", "kiosk");

    /// <summary>&lt;Root&gt;/etc/kiosk/agent.json, the file KIOSK_CONFIG names.</summary>
    public string ConfigFile => Path.Combine(ConfigFolder, "agent.json");

    /// <summary>&lt;Root&gt;/etc/kiosk/pki: device key and certificates.</summary>
    public string PkiFolder => Path.Combine(ConfigFolder, "pki");

    /// <summary>&lt;Root&gt;/var/lib/kiosk: the agent's data (Kiosk:DataFolder).</summary>
    public string DataFolder => Path.Combine(Root, "var", "lib", "kiosk");

    /// <summary>&lt;Root&gt;/var/log/kiosk.</summary>
    public string LogFolder => Path.Combine(Root, "var", "log", "kiosk");

    /// <summary>&lt;Root&gt;/etc/systemd/system/kiosk-agent.service.</summary>
    public string UnitFile => Path.Combine(Root, "etc", "systemd", "system", "kiosk-agent.service");

    /// <summary>&lt;Root&gt;/etc/systemd/system/kiosk-agent.service.d/devices.conf: the device nodes the unit allows,
    /// generated from the configuration.</summary>
    public string DevicesDropIn => Path.Combine(Root, "etc", "systemd", "system", "kiosk-agent.service.d", "devices.conf");

    /// <summary>&lt;Root&gt;/etc/kiosk/credentials (0700 root).</summary>
    public string CredentialFolder => Path.Combine(ConfigFolder, "credentials");

    /// <summary>&lt;Root&gt;/etc/kiosk/credentials/outbox.key.cred: the outbox key encrypted by systemd-creds.</summary>
    public string OutboxCredential => Path.Combine(CredentialFolder, "outbox.key.cred");

    /// <summary>&lt;Root&gt;/var/lib/systemd/credential.secret: the staged stand-in for the machine's credential host key
    /// (install.ps1 points SYSTEMD_CREDENTIAL_SECRET at it under -Root, so the machine's own key is never used).</summary>
    public string CredentialSecret => Path.Combine(Root, "var", "lib", "systemd", "credential.secret");

    /// <summary>&lt;Root&gt;/var/lib/kiosk/outbox.key: the outbox key file (Kiosk:Outbox:KeyFile), or its stand-in line
    /// once the key is in <see cref="OutboxCredential"/>.</summary>
    public string OutboxKeyFile => Path.Combine(DataFolder, "outbox.key");

    /// <summary>&lt;Root&gt;/run/credentials/kiosk-agent.service: where the staged agent finds its credentials, as systemd
    /// gives them to the service in $CREDENTIALS_DIRECTORY.</summary>
    public string CredentialsDirectory => Path.Combine(Root, "run", "credentials", "kiosk-agent.service");

    /// <summary>&lt;Root&gt;/usr/local/bin/kioskctl, the wrapper script.</summary>
    public string Kioskctl => Path.Combine(Root, "usr", "local", "bin", "kioskctl");

    /// <summary>The version current points at (its link's last segment), or null without the link.</summary>
    public string? CurrentVersion => LinkVersion(Current);

    /// <summary>The version previous points at, or null without the link.</summary>
    public string? PreviousVersion => LinkVersion(Previous);

    private static string? LinkVersion(string link) =>
        new DirectoryInfo(link).LinkTarget is { } target ? Path.GetFileName(target.TrimEnd('/')) : null;

    /// <summary>install.ps1 -Install -Package PACKAGE -Root ROOT EXTRA.</summary>
    public Task<ProcessResult> InstallAsync(string package, params string[] extra) =>
        InstallScript.RunAsync(["-Install", "-Package", package, "-Root", Root, .. extra]);

    /// <summary>install.ps1 -Upgrade -Package PACKAGE -Root ROOT EXTRA.</summary>
    public Task<ProcessResult> UpgradeAsync(string package, params string[] extra) =>
        InstallScript.RunAsync(["-Upgrade", "-Package", package, "-Root", Root, .. extra]);

    /// <summary>install.ps1 -Rollback -Root ROOT EXTRA.</summary>
    public Task<ProcessResult> RollbackAsync(params string[] extra) =>
        InstallScript.RunAsync(["-Rollback", "-Root", Root, .. extra]);

    /// <summary>install.ps1 -UpdateDevices -Root ROOT EXTRA.</summary>
    public Task<ProcessResult> UpdateDevicesAsync(params string[] extra) =>
        InstallScript.RunAsync(["-UpdateDevices", "-Root", Root, .. extra]);

    /// <summary>systemd-creds, or null when it is not installed.</summary>
    public static string? SystemdCreds => InstallScript.FindOnPath("systemd-creds");

    /// <summary>The outbox key in <see cref="OutboxCredential"/>, decrypted with the staged host key as systemd would
    /// decrypt it for the service.</summary>
    public async Task<byte[]> DecryptOutboxKeyAsync()
    {
        var creds = SystemdCreds ?? throw new InvalidOperationException("systemd-creds is not installed");
        var decrypt = await InstallScript.RunProcessAsync(creds, ["decrypt", "--name=outbox.key", "--transcode=base64", OutboxCredential, "-"],
            new Dictionary<string, string?> { ["SYSTEMD_CREDENTIAL_SECRET"] = CredentialSecret });
        Assert.That(decrypt.ExitCode, Is.Zero, decrypt.ToString());
        return Convert.FromBase64String(decrypt.StandardOutput.Trim());
    }

    /// <summary>The environment the staged agent gets from the unit's LoadCredentialEncrypted=: when the kiosk has an
    /// outbox key credential, it is decrypted into <see cref="CredentialsDirectory"/> and CREDENTIALS_DIRECTORY names
    /// it; otherwise nothing (the agent uses the key file).</summary>
    public async Task<Dictionary<string, string?>> CredentialEnvironmentAsync()
    {
        if (!File.Exists(OutboxCredential))
        {
            return new Dictionary<string, string?>();
        }

        var key = await DecryptOutboxKeyAsync();
        Directory.CreateDirectory(CredentialsDirectory);
        var file = Path.Combine(CredentialsDirectory, "outbox.key");
        File.Delete(file);
        File.WriteAllBytes(file, key);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead);
        }
        return new Dictionary<string, string?> { ["CREDENTIALS_DIRECTORY"] = CredentialsDirectory };
    }

    /// <summary>install.ps1 -Uninstall [-PurgeData] -Root ROOT.</summary>
    public Task<ProcessResult> UninstallAsync(bool purgeData = false) =>
        InstallScript.RunAsync(purgeData ? ["-Uninstall", "-PurgeData", "-Root", Root] : ["-Uninstall", "-Root", Root]);

    /// <summary>Runs the staged kioskctl wrapper (it exports KIOSK_CONFIG=&lt;Root&gt;/etc/kiosk/agent.json unless set).</summary>
    public Task<ProcessResult> RunKioskctlAsync(params string[] arguments) =>
        InstallScript.RunProcessAsync(Kioskctl, arguments, new Dictionary<string, string?> { ["KIOSK_CONFIG"] = null }, DataFolder, TimeSpan.FromMinutes(1));

    /// <summary>Runs the staged agent as the unit does: <c>dotnet current/agent/kiosk-agent.dll</c> in the data folder
    /// with KIOSK_CONFIG naming the staged configuration and its credentials (<see cref="CredentialEnvironmentAsync"/>),
    /// until it exits or <paramref name="timeout"/> passes.</summary>
    public async Task<ProcessResult> RunAgentAsync(TimeSpan timeout, IReadOnlyDictionary<string, string?>? environment = null, params string[] arguments)
    {
        var variables = await CredentialEnvironmentAsync();
        variables["KIOSK_CONFIG"] = ConfigFile;
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            variables[key] = value;
        }

        var dotnet = InstallScript.FindOnPath("dotnet") ?? "dotnet";
        return await InstallScript.RunProcessAsync(dotnet, [Path.Combine(Current, "agent", "kiosk-agent.dll"), .. arguments], variables, DataFolder, timeout);
    }
}
