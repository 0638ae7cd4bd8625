using Kiosk.Central.Messages;

namespace Kiosk.Central.Tests.Messages;

/// <summary>Chunk headers that must not place a chunk outside its attachment (fuzz/regressions/chunk-header).</summary>
[TestFixture]
public sealed class ChunkHeaderReaderTests
{
    private static readonly string Sha = new('b', 64);

    [Test]
    public void An_offset_near_the_largest_long_does_not_overflow_into_an_accepted_chunk()
    {
        var header = ChunkHeaderReader.Read(Properties(offset: long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture), length: "10"), payloadLength: 1, out var problem);

        Assert.That(header, Is.Null);
        Assert.That(problem, Does.Contain("does not fit"));
    }

    [Test]
    public void A_chunk_that_ends_exactly_at_the_attachments_end_is_accepted()
    {
        var header = ChunkHeaderReader.Read(Properties(offset: "6", length: "10"), payloadLength: 4, out var problem);

        Assert.That(problem, Is.Empty);
        Assert.That(header!.Offset, Is.EqualTo(6));
    }

    [Test]
    public void A_chunk_that_runs_one_byte_past_the_end_is_refused()
    {
        Assert.That(ChunkHeaderReader.Read(Properties(offset: "7", length: "10"), payloadLength: 4, out _), Is.Null);
    }

    private static List<KeyValuePair<string, string>> Properties(string offset, string length) =>
    [
        new("index", "0"), new("count", "1"), new("offset", offset), new("length", length), new("sha256", Sha), new("chunkSha256", Sha),
    ];
}
