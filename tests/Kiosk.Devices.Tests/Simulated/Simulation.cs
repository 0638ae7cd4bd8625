using Kiosk.Devices.Simulated;
using Kiosk.TestSupport;

namespace Kiosk.Devices.Tests.Simulated;

/// <summary>Options for simulators under test: a fixed seed and the test data made by tests/data/fetch-test-data.sh.</summary>
internal static class Simulation
{
    public const int Seed = 20240601;

    public static SimulationOptions Options(int seed = Seed) => new() { Seed = seed, DataFolder = RepositoryPaths.TestData };
}
