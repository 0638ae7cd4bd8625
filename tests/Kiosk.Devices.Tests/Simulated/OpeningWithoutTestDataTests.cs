using Kiosk.Devices.Simulated;
using Kiosk.TestSupport;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace Kiosk.Devices.Tests.Simulated;

/// <summary>A simulator whose test data is missing says which file and how to get it, and stays closed.</summary>
[TestFixture]
public sealed class OpeningWithoutTestDataTests
{
    private static IEnumerable<TestCaseData> DevicesThatNeedData()
    {
        yield return new TestCaseData((Func<SimulationOptions, TimeProvider, IDevice>)((o, t) => new SimulatedFaceCamera("c", o, t)), "astronaut.png").SetArgDisplayNames("face camera");
        yield return new TestCaseData((Func<SimulationOptions, TimeProvider, IDevice>)((o, t) => new SimulatedDocumentCamera("d", o, t)), "page.png").SetArgDisplayNames("document camera");
        yield return new TestCaseData((Func<SimulationOptions, TimeProvider, IDevice>)((o, t) => new SimulatedDocumentScanner("s", o, t)), "page.png").SetArgDisplayNames("scanner");
        yield return new TestCaseData((Func<SimulationOptions, TimeProvider, IDevice>)((o, t) => new SimulatedAudioRecorder("m", o, t)), "speech.wav").SetArgDisplayNames("recorder");
    }

    [TestCaseSource(nameof(DevicesThatNeedData))]
    public async Task Open_names_the_missing_file_and_the_script(Func<SimulationOptions, TimeProvider, IDevice> create, string file)
    {
        using var empty = new TempFolder();
        await using var device = create(new SimulationOptions { DataFolder = empty.Path }, new FakeTimeProvider());
        var result = await device.OpenAsync(CancellationToken.None);
        Assert.That(result.Code, Is.EqualTo(CompletionCode.DeviceNotReady));
        Assert.That(result.Description, Does.Contain(file).And.Contain("tests/data/fetch-test-data.sh"));
        Assert.That(device.Status, Is.Not.EqualTo(DeviceStatus.Online));
    }
}
