using System.Text.Json;

namespace Kiosk.Install.Tests;

/// <summary>
/// What production runs is only what production needs: the agent and kioskctl that ./kiosk.sh publish packages depend
/// on no simulator, no demo, no platform simulator and no test support, by their dependency manifests (deps.json, what
/// the runtime loads from) and by the files in their build folders.
/// </summary>
public sealed class ProductionBuildTests
{
    private static readonly string[] NotForProduction = ["Kiosk.Devices.Simulated", "Kiosk.Simulation", "Kiosk.Central", "kiosk-central", "Kiosk.Demo", "Kiosk.TestSupport", "Kiosk.Fuzz"];

    private static IEnumerable<TestCaseData> Builds()
    {
        yield return new TestCaseData(InstallScript.AgentBuildFolder, "kiosk-agent").SetName("The agent's build holds no simulator");
        yield return new TestCaseData(InstallScript.KioskctlBuildFolder, "kioskctl").SetName("kioskctl's build holds no simulator");
    }

    [TestCaseSource(nameof(Builds))]
    public void The_build_depends_on_no_simulator(string folder, string assemblyName)
    {
        var depsFile = Path.Combine(folder, assemblyName + ".deps.json");
        Assert.That(depsFile, Does.Exist, "build the solution first (./kiosk.sh test does)");
        using var deps = JsonDocument.Parse(File.ReadAllText(depsFile));
        var libraries = deps.RootElement.GetProperty("libraries").EnumerateObject().Select(l => l.Name.Split('/')[0]).ToList();
        var files = Directory.EnumerateFiles(folder, "*.dll").Select(Path.GetFileNameWithoutExtension).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(libraries, Does.Contain("Kiosk.Agent.Contracts"), "the manifest was read (it lists the project's own libraries)");
            Assert.That(libraries.Where(l => NotForProduction.Contains(l, StringComparer.OrdinalIgnoreCase)), Is.Empty, "in " + depsFile);
            Assert.That(files.Where(f => NotForProduction.Contains(f, StringComparer.OrdinalIgnoreCase)), Is.Empty, "in " + folder);
        });
    }
}
