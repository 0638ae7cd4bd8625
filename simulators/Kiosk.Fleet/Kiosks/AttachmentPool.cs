namespace Kiosk.Fleet.Kiosks;

/// <summary>
/// The simulated check-ins' attachment bytes: one block of random bytes made once per run from its seed, of which every
/// attachment is a copy of a slice at a random offset with its kiosk and check-in number written over its first bytes.
/// Every attachment differs (a chunk delivered under the wrong record fails its hash) and none compresses, as with fresh
/// random bytes, but a check-in costs a copy instead of 150 KiB from the seeded generator under one lock shared by the
/// fleet: in the 1,000-kiosk profile that lock and that generator were 7 % of the fleet's CPU, taken from the kiosks
/// under test. Thread safety: <see cref="Take"/> may be called from any thread with its own <see cref="Random"/>.
/// </summary>
internal sealed class AttachmentPool
{
    /// <summary>Room for slices at many offsets beyond the largest attachment.</summary>
    private const int Spare = 16 * 1024 * 1024;

    private readonly byte[] _bytes;

    public AttachmentPool(int attachmentBytes, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        _bytes = new byte[attachmentBytes > 0 ? attachmentBytes + Spare : 0];
        random.NextBytes(_bytes);
    }

    /// <summary>A new attachment of <paramref name="length"/> bytes, unique to <paramref name="kioskId"/> and <paramref name="number"/>.</summary>
    public byte[] Take(int length, Random random, string kioskId, int number)
    {
        ArgumentNullException.ThrowIfNull(random);
        var bytes = new byte[length];
        _bytes.AsSpan(random.Next(_bytes.Length - length + 1), length).CopyTo(bytes);
        var stamp = System.Text.Encoding.UTF8.GetBytes($"{kioskId}/{number}/");
        stamp.AsSpan(0, Math.Min(stamp.Length, length)).CopyTo(bytes);
        return bytes;
    }
}
