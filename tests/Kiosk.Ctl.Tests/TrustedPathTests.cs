using System.Runtime.Versioning;
using Kiosk.Ctl.Files;
using Kiosk.TestSupport;

namespace Kiosk.Ctl.Tests;

/// <summary>The link rule of provisioning/Kiosk.Ctl/Files/TrustedPath.cs and the names FolderHandle takes, in-process.</summary>
[NonParallelizable]
[UnsupportedOSPlatform("windows")]
public sealed class TrustedPathTests
{
    private TempFolder _folder = null!;

    [SetUp]
    public void SetUp()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Ignore("the rule is applied on Linux only");
        }

        _folder = new TempFolder("trusted-path");
    }

    [TearDown]
    public void TearDown() => _folder?.Dispose();

    private string Real(string name)
    {
        var path = _folder.File(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, name);
        return path;
    }

    [Test]
    public async Task In_a_sticky_folder_only_a_link_root_owns_is_followed()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Assert.Ignore("needs root: a link owned by another user");
        }

        var target = Real("real/agent.json");
        var sticky = _folder.File("sticky");
        Directory.CreateDirectory(sticky);
        File.SetUnixFileMode(sticky, (UnixFileMode)0x3FF);
        var ours = Path.Combine(sticky, "ours.json");
        var theirs = Path.Combine(sticky, "theirs.json");
        File.CreateSymbolicLink(ours, target);
        File.CreateSymbolicLink(theirs, target);
        Assert.That((await KioskctlProcess.RunProgramAsync("chown", "-h", "65534:65534", theirs)).ExitCode, Is.Zero);

        Assert.That(TrustedPath.Resolve(ours), Is.EqualTo(target));
        Assert.That(() => TrustedPath.Resolve(theirs), Throws.TypeOf<UntrustedLinkException>().With.Message.Contains("its group or others can write"));
    }

    [Test]
    public void A_link_in_a_folder_its_group_can_write_is_refused()
    {
        var target = Real("real/agent.json");
        var shared = _folder.File("shared");
        Directory.CreateDirectory(shared);
        File.SetUnixFileMode(shared, (UnixFileMode)0x1FD);
        File.CreateSymbolicLink(Path.Combine(shared, "agent.json"), target);

        Assert.That(() => TrustedPath.Resolve(Path.Combine(shared, "agent.json")), Throws.TypeOf<UntrustedLinkException>().With.Message.Contains($"{shared}/agent.json is a symbolic link"));
    }

    [Test]
    public async Task Links_on_the_way_resolve_where_the_kernel_resolves_them_and_missing_names_are_kept()
    {
        var file = Real("top/deep/sibling/file");
        Directory.CreateDirectory(_folder.File("top/deep/inner"));
        File.CreateSymbolicLink(_folder.File("top/l1"), "deep/inner");
        File.CreateSymbolicLink(_folder.File("top/deep/inner/l2"), "../sibling");
        var path = _folder.File("top/l1/l2/file");

        var kernel = await KioskctlProcess.RunProgramAsync("realpath", path);

        Assert.That(TrustedPath.Resolve(path), Is.EqualTo(kernel.Stdout.Trim()).And.EqualTo(file));
        Assert.That(TrustedPath.Resolve(_folder.File("top/l1/l2/new/name")), Is.EqualTo(_folder.File("top/deep/sibling/new/name")));
    }

    [Test]
    public void A_loop_of_links_is_an_error_not_a_hang()
    {
        File.CreateSymbolicLink(_folder.File("a"), _folder.File("b"));
        File.CreateSymbolicLink(_folder.File("b"), _folder.File("a"));

        Assert.That(() => TrustedPath.Resolve(_folder.File("a")), Throws.TypeOf<IOException>().With.Message.Contains("more than 40 symbolic links"));
    }

    [TestCase("..")]
    [TestCase("../escaped")]
    [TestCase("nested/name")]
    [TestCase("")]
    public void A_folder_takes_single_names_only(string name)
    {
        using var folder = FolderHandle.Open(_folder.Path, createMode: null);

        Assert.That(() => folder.Folder(name, FolderHandle.AnyoneMayEnter), Throws.ArgumentException);
        Assert.That(() => folder.CreateFile(name, UnixFileMode.UserRead).Dispose(), Throws.ArgumentException);
        Assert.That(Directory.GetFileSystemEntries(_folder.Path), Is.Empty);
    }
}
