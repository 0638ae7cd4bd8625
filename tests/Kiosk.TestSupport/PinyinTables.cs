using System.Diagnostics;
using NUnit.Framework;

namespace Kiosk.TestSupport;

/// <summary>
/// The screen keyboard's pinyin table, rendered for a test by deploy/render-pinyin.sh from Debian's unicode-data (Unihan),
/// as <c>./kiosk.sh publish</c> renders it for the package. Nothing of Unihan is committed; without unicode-data the
/// test is ignored with the reason.
/// </summary>
public static class PinyinTables
{
    public const string UnicodeFolder = "/usr/share/unicode";

    /// <summary>Whether unicode-data's Unihan is installed, in any form the script reads.</summary>
    public static bool UnihanInstalled =>
        new[] { "Unihan_Readings.txt.bz2", "Unihan_Readings.txt", "Unihan.zip" }.Any(f => File.Exists(Path.Combine(UnicodeFolder, f)));

    /// <summary>Renders the table to <paramref name="outFile"/>; ignores the test when unicode-data is not installed.</summary>
    public static void Render(string outFile)
    {
        if (!UnihanInstalled)
        {
            Assert.Ignore($"unicode-data is not installed (no Unihan in {UnicodeFolder}): ./kiosk.sh test installs it; apt-get install unicode-data");
        }

        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(RepositoryPaths.Root, "deploy", "render-pinyin.sh"));
        start.ArgumentList.Add(outFile);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(1)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("deploy/render-pinyin.sh did not finish within a minute");
        }

        Assert.That(process.ExitCode, Is.Zero, $"deploy/render-pinyin.sh failed: {output} {error.Result}");
    }
}
