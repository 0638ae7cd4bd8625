namespace Kiosk.Devices.Simulated;

/// <summary>Loads the test-data files (made by tests/data/fetch-test-data.sh) that a simulated device needs when it opens.</summary>
internal static class TestDataFiles
{
    /// <summary>Reads every file, or returns the DeviceNotReady failure naming the first one missing.</summary>
    public static DeviceResult<Done>? TryLoad(SimulationOptions options, IReadOnlyList<string> names, IDictionary<string, byte[]> into)
    {
        foreach (var name in names)
        {
            var path = Path.Combine(options.DataFolder, name);
            if (!File.Exists(path))
            {
                return DeviceResult<Done>.Failure(CompletionCode.DeviceNotReady, MissingFileHint(name, options), "ENOENT");
            }

            // Read once, synchronously, at open: operations then never touch the disk, so a
            // FakeTimeProvider alone decides when they complete.
            into[name] = File.ReadAllBytes(path);
        }

        return null;
    }

    public static string MissingFileHint(string name, SimulationOptions options) =>
        $"test data file '{name}' is missing from '{Path.GetFullPath(options.DataFolder)}'; run tests/data/fetch-test-data.sh";
}
