using System.Globalization;
using System.Runtime.Versioning;
using Kiosk.TestSupport;

namespace Kiosk.Ctl.Tests;

/// <summary>
/// kioskctl runs as root and writes into folders the agent's service user owns (pki/, a data folder, an export
/// folder). A link that user planted there must never make root write, chmod or chown what it points at. Uid 65534
/// (nobody) stands in for the service user; a root-only folder holds what the links point at.
/// </summary>
[NonParallelizable]
[UnsupportedOSPlatform("windows")]
public sealed class PlantedLinkTests
{
    private const string ServiceUser = "65534:65534";

    private TempFolder _folder = null!;

    [SetUp]
    public async Task SetUp()
    {
        if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess)
        {
            Assert.Ignore("needs root on Linux: only root can make a folder another user owns, and only root's writes are worth attacking");
        }

        _folder = new TempFolder("ctl-planted");
        Directory.CreateDirectory(RootOnly, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await File.WriteAllTextAsync(Victim, """{ "Kiosk": { "SiteId": "victim", "Sync": { "BrokerPort": 1883 } } }""");
        File.SetUnixFileMode(Victim, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
    }

    [TearDown]
    public void TearDown() => _folder?.Dispose();

    /// <summary>Stands in for /etc/shadow: root's, 0640, in a folder only root may enter.</summary>
    private string Victim => Path.Combine(RootOnly, "shadow");

    private string RootOnly => _folder.File("root-only");

    /// <summary>A folder the service user owns (as install.ps1 makes pki/ and the data folder).</summary>
    private async Task<string> ServiceFolderAsync(string name)
    {
        var path = _folder.File(name);
        Directory.CreateDirectory(path);
        await OwnAsync(path);
        return path;
    }

    /// <summary>A link owned by the service user, as one it planted would be.</summary>
    private static async Task PlantAsync(string link, string target)
    {
        File.CreateSymbolicLink(link, target);
        await OwnAsync(link);
    }

    private static async Task OwnAsync(string path)
    {
        var chown = await KioskctlProcess.RunProgramAsync("chown", "-h", ServiceUser, path);
        Assert.That(chown.ExitCode, Is.Zero, chown.ToString());
    }

    /// <summary>Owner, group, mode and content: what a write, chmod or chown through a link would change.</summary>
    private static async Task<string> StateAsync(string path)
    {
        var stat = await KioskctlProcess.RunProgramAsync("stat", "-c", "%u:%g %a", path);
        return stat.Stdout.Trim() + " " + await File.ReadAllTextAsync(path);
    }

    private string[] RootOnlyEntries() => [.. Directory.GetFileSystemEntries(RootOnly).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    private static string[] Init(string config, params string[] more) =>
        ["init", "--site", "s1", "--kiosk", "k1", "--broker", "mqtts://127.0.0.1:8883", "--config", config, .. more];

    [Test]
    public async Task Init_refuses_a_pki_folder_the_service_user_replaced_with_a_link_and_writes_nothing()
    {
        var etc = await ServiceFolderAsync("etc");
        await PlantAsync(Path.Combine(etc, "pki"), RootOnly);
        var before = await StateAsync(Victim);

        var run = await KioskctlProcess.RunAsync(Init(Path.Combine(etc, "agent.json")));

        Assert.Multiple(async () =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(3), run.ToString());
            Assert.That(run.Stderr, Does.Contain($"{etc}/pki is a symbolic link").And.Contain("user 65534 owns"));
            Assert.That(RootOnlyEntries(), Is.EqualTo(new[] { "shadow" }), "no key or request was written where the link points");
            Assert.That(await StateAsync(Victim), Is.EqualTo(before));
            Assert.That(File.Exists(Path.Combine(etc, "agent.json")), Is.False, "refused before anything was written");
        });
    }

    [Test]
    public async Task Init_refuses_a_configuration_link_the_service_user_planted_and_leaves_its_target_alone()
    {
        var etc = await ServiceFolderAsync("etc");
        var config = Path.Combine(etc, "agent.json");
        await PlantAsync(config, Victim);
        var before = await StateAsync(Victim);

        var run = await KioskctlProcess.RunAsync(Init(config));

        Assert.Multiple(async () =>
        {
            Assert.That(await StateAsync(Victim), Is.EqualTo(before), "neither written nor given the folder's owner");
            Assert.That(run.ExitCode, Is.EqualTo(3), run.ToString());
            Assert.That(run.Stderr, Does.Contain($"{config} is a symbolic link"));
            Assert.That(Directory.Exists(Path.Combine(etc, "pki")), Is.False, "refused before the key was made");
        });
    }

    [Test]
    public async Task Config_set_refuses_a_configuration_link_the_service_user_planted_and_leaves_its_target_alone()
    {
        var data = await ServiceFolderAsync("var-lib-kiosk");
        var config = Path.Combine(data, "agent.json");
        await PlantAsync(config, Victim);
        var before = await StateAsync(Victim);

        var run = await KioskctlProcess.RunAsync("config", "set", "Kiosk:Sync:BrokerPort", "8883", "--config", config);

        Assert.Multiple(async () =>
        {
            Assert.That(await StateAsync(Victim), Is.EqualTo(before));
            Assert.That(run.ExitCode, Is.EqualTo(3), run.ToString());
            Assert.That(run.Stderr, Does.Contain("is a symbolic link").And.Contain("was not changed"));
        });
    }

    [Test]
    public async Task A_configuration_link_in_a_folder_only_root_can_change_is_followed_and_stays_a_link()
    {
        var etc = _folder.File("etc");
        Directory.CreateDirectory(etc);
        var real = Path.Combine(RootOnly, "agent.json");
        await File.WriteAllTextAsync(real, """{ "Kiosk": { "Sync": { "BrokerPort": 1883 } } }""");
        var config = Path.Combine(etc, "agent.json");
        File.CreateSymbolicLink(config, real);

        var run = await KioskctlProcess.RunAsync("config", "set", "Kiosk:Sync:BrokerPort", "8883", "--config", config);

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(new FileInfo(config).LinkTarget, Is.EqualTo(real), "the link the administrator made stays");
        Assert.That(await File.ReadAllTextAsync(real), Does.Contain("8883"));
    }

    [Test]
    public async Task Init_refuses_a_key_file_the_service_user_replaced_with_a_link()
    {
        var etc = _folder.File("etc");
        Directory.CreateDirectory(etc);
        var pki = await ServiceFolderAsync("etc/pki");
        await PlantAsync(Path.Combine(pki, "device.key"), Victim);
        var before = await StateAsync(Victim);

        var run = await KioskctlProcess.RunAsync(Init(Path.Combine(etc, "agent.json"), "--force"));

        Assert.Multiple(async () =>
        {
            Assert.That(await StateAsync(Victim), Is.EqualTo(before));
            Assert.That(run.ExitCode, Is.EqualTo(3), run.ToString());
            Assert.That(run.Stderr, Does.Contain($"{pki}/device.key is a symbolic link"));
            Assert.That(new FileInfo(Path.Combine(pki, "device.key")).LinkTarget, Is.EqualTo(Victim), "left for the technician to look at");
        });
    }

    /// <summary>
    /// The service user watches pki/ and, the moment kioskctl's temporary file appears, puts a link to the victim in
    /// its place, hoping root then chmods, chowns or renames through the name. A race: kioskctl is run until the swap
    /// has won at least once.
    /// </summary>
    [Test]
    public async Task A_temporary_file_swapped_for_a_link_while_init_writes_is_never_written_chmodded_or_chowned_through()
    {
        var etc = _folder.File("etc");
        Directory.CreateDirectory(etc);
        var pki = await ServiceFolderAsync("etc/pki");
        var before = await StateAsync(Victim);
        var swaps = 0;
        using var watcher = new FileSystemWatcher(pki, "*.tmp");
        watcher.Created += (_, e) =>
        {
            try
            {
                File.Move(e.FullPath, e.FullPath + ".taken");
                File.CreateSymbolicLink(e.FullPath, Victim);
                Interlocked.Increment(ref swaps);
            }
            catch (IOException)
            {
                // kioskctl renamed it first: this round is lost.
            }
        };
        watcher.EnableRaisingEvents = true;

        var runs = new List<KioskctlRun>();
        for (var attempt = 0; attempt < 10 && Volatile.Read(ref swaps) == 0; attempt++)
        {
            runs.Add(await KioskctlProcess.RunAsync(Init(Path.Combine(etc, "agent.json"), "--force")));
        }

        watcher.EnableRaisingEvents = false;
        if (Volatile.Read(ref swaps) == 0)
        {
            Assert.Ignore($"the swap never won the race in {runs.Count} runs: nothing was tried against kioskctl");
        }

        Assert.Multiple(async () =>
        {
            Assert.That(await StateAsync(Victim), Is.EqualTo(before), "the victim keeps its content, mode and owner");
            Assert.That(runs[^1].ExitCode, Is.EqualTo(3), runs[^1].ToString());
            Assert.That(runs[^1].Stderr, Does.Contain("was replaced while kioskctl wrote it"));
        });
        TestContext.Progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"the swap won after {runs.Count} run(s)"));
    }

    [TestCase("attachments")]
    [TestCase("export")]
    public async Task Queue_export_refuses_a_link_the_service_user_planted_on_its_way(string planted)
    {
        var data = await ServiceFolderAsync("data");
        await OutboxBacklog.CommitAsync(data);
        var owned = await ServiceFolderAsync("exports");
        var target = Path.Combine(owned, "export");
        if (planted == "export")
        {
            await PlantAsync(target, RootOnly);
        }
        else
        {
            Directory.CreateDirectory(target);
            await PlantAsync(Path.Combine(target, planted), RootOnly);
        }

        var run = await KioskctlProcess.RunInEmptyFolderAsync("queue", "export", "--data", data, "--to", target);

        Assert.Multiple(() =>
        {
            Assert.That(RootOnlyEntries(), Is.EqualTo(new[] { "shadow" }), "nothing exported where the link points");
            Assert.That(run.ExitCode, Is.EqualTo(3), run.ToString());
            Assert.That(run.Stderr, Does.Contain("is a symbolic link"));
        });
    }
}
