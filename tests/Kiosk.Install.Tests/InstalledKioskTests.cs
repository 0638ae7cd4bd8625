using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using Kiosk.TestSupport;

namespace Kiosk.Install.Tests;

/// <summary>
/// Runs of install.ps1 that must change nothing on an installed kiosk (1.0.0, its agent.json edited as kioskctl init
/// would): installing again, upgrading to the same version, rolling back without a previous release, installing
/// another version over it. One installed root serves them all, one at a time; each compares the whole tree before
/// and after its run.
/// </summary>
[Parallelizable(ParallelScope.Self)]
[Platform("Linux", Reason = "the Linux (systemd) layout; install.ps1 on Windows is not tested here")]
[SupportedOSPlatform("linux")]
public sealed class InstalledKioskTests
{
    private TempFolder _root = null!;
    private StagedKiosk _kiosk = null!;
    private string _editedConfig = null!;

    [OneTimeSetUp]
    public async Task Install()
    {
        _root = new TempFolder("kiosk-installed");
        _kiosk = new StagedKiosk(_root.Path);
        var install = await _kiosk.InstallAsync(TestPackages.Slim("1.0.0"));
        Assert.That(install.ExitCode, Is.Zero, install.ToString());
        var config = JsonNode.Parse(File.ReadAllText(_kiosk.ConfigFile))!;
        config["Kiosk"]!["SiteId"] = "site-7";
        _editedConfig = config.ToJsonString();
        File.WriteAllText(_kiosk.ConfigFile, _editedConfig);
    }

    [OneTimeTearDown]
    public void Delete() => _root.Dispose();

    [Test]
    public async Task Installing_again_changes_nothing_says_already_installed_and_keeps_the_edited_configuration()
    {
        var before = TreeSnapshot.Take(_root.Path);

        var again = await _kiosk.InstallAsync(TestPackages.Slim("1.0.0"));

        Assert.That(again.ExitCode, Is.Zero, again.ToString());
        Assert.That(File.ReadAllText(_kiosk.ConfigFile), Is.EqualTo(_editedConfig));
        Assert.That(TreeSnapshot.Take(_root.Path), Is.EqualTo(before), again.ToString());
        Assert.That(again.Lines, Has.Some.StartsWith($"already installed: {_kiosk.ConfigFile}"));
        Assert.That(again.Lines, Has.Member($"already installed: {Path.Combine(_kiosk.Releases, "1.0.0")}"));
        Assert.That(again.Lines, Has.Member($"already installed: {_kiosk.Current} -> releases/1.0.0"));
        Assert.That(again.Lines, Has.Some.StartsWith($"already installed: {_kiosk.UnitFile}"));
        Assert.That(again.Lines, Has.Some.StartsWith($"already installed: {_kiosk.Kioskctl}"));
        Assert.That(again.Lines, Has.None.StartsWith("created:").And.None.StartsWith("updated:").And.None.StartsWith("linked:"));
        Assert.That(again.LastLine, Is.EqualTo($"install.ps1: kiosk 1.0.0 already installed in {_kiosk.ProgramFolder}; nothing changed"));
    }

    [Test]
    public async Task Upgrading_to_the_installed_version_says_so_and_changes_nothing()
    {
        var before = TreeSnapshot.Take(_root.Path);

        var upgrade = await _kiosk.UpgradeAsync(TestPackages.Slim("1.0.0"));

        Assert.That(upgrade.ExitCode, Is.Zero, upgrade.ToString());
        Assert.That(upgrade.LastLine, Does.StartWith($"install.ps1: kiosk 1.0.0 is already the current release in {_kiosk.ProgramFolder}; nothing to upgrade"));
        Assert.That(TreeSnapshot.Take(_root.Path), Is.EqualTo(before));
        Assert.That(_kiosk.PreviousVersion, Is.Null);
    }

    [Test]
    public async Task Rollback_without_a_previous_release_fails_with_a_clear_message_and_changes_nothing()
    {
        var before = TreeSnapshot.Take(_root.Path);

        var rollback = await _kiosk.RollbackAsync();

        Assert.That(rollback.ExitCode, Is.EqualTo(1), rollback.ToString());
        Assert.That(rollback.StandardError, Does.Contain($"there is no previous release to roll back to in {_kiosk.ProgramFolder} (current is 1.0.0)").And.Contain("-Upgrade"));
        Assert.That(TreeSnapshot.Take(_root.Path), Is.EqualTo(before));
    }

    [Test]
    public async Task Installing_another_version_over_it_fails_points_at_Upgrade_and_changes_nothing()
    {
        var before = TreeSnapshot.Take(_root.Path);

        var install = await _kiosk.InstallAsync(TestPackages.Slim("1.1.0"));

        Assert.That(install.ExitCode, Is.EqualTo(1), install.ToString());
        Assert.That(install.StandardError, Does.Contain("kiosk 1.0.0 is installed").And.Contain("Use -Upgrade -Package"));
        Assert.That(TreeSnapshot.Take(_root.Path), Is.EqualTo(before));
    }
}
