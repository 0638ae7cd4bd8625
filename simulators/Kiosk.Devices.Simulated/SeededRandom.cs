namespace Kiosk.Devices.Simulated;

/// <summary>
/// SplitMix64: a small generator whose sequence is fixed forever (System.Random's is an implementation
/// detail), so the same seed gives the same bytes on every runtime. Not for anything secret.
/// </summary>
internal sealed class SeededRandom
{
    private ulong _state;

    public SeededRandom(int seed, string purpose)
    {
        // FNV-1a of the purpose keeps the streams of different devices and values apart.
        var hash = 14695981039346656037UL;
        foreach (var c in purpose)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        _state = hash ^ (ulong)(uint)seed * 0x9E3779B97F4A7C15UL;
    }

    public ulong NextUInt64()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A double in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>An integer in [minInclusive, maxExclusive).</summary>
    public int Next(int minInclusive, int maxExclusive) => minInclusive + (int)(NextUInt64() % (ulong)(maxExclusive - minInclusive));

    public double Between(double min, double max) => min + (NextDouble() * (max - min));

    public void NextBytes(Span<byte> buffer)
    {
        for (var i = 0; i < buffer.Length; i++)
        {
            buffer[i] = (byte)NextUInt64();
        }
    }
}
