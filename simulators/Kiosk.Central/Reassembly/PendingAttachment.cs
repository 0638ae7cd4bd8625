using Kiosk.Central.Messages;

namespace Kiosk.Central.Reassembly;

/// <summary>The chunks of one attachment received so far, keyed by index (a resent chunk replaces the old one).</summary>
internal sealed class PendingAttachment(ChunkHeader reference)
{
    private readonly SortedDictionary<int, byte[]> _chunks = [];
    private readonly Dictionary<int, ChunkHeader> _headers = [];

    /// <summary>The first chunk's header; later chunks must describe the same attachment.</summary>
    public ChunkHeader Reference { get; } = reference;

    public long BufferedBytes { get; private set; }

    /// <summary>Adds a chunk and returns the change in buffered bytes.</summary>
    public long Add(ChunkHeader header, byte[] data)
    {
        long delta = data.Length;
        if (_chunks.TryGetValue(header.Index, out var old))
        {
            delta -= old.Length;
        }

        _chunks[header.Index] = data;
        _headers[header.Index] = header;
        BufferedBytes += delta;
        return delta;
    }

    /// <summary>How many chunks from index 0 on are held without a gap: the kiosk may resume at this index.</summary>
    public int ContiguousCount
    {
        get
        {
            var count = 0;
            foreach (var index in _chunks.Keys)
            {
                if (index != count)
                {
                    break;
                }

                count++;
            }

            return count;
        }
    }

    public bool IsComplete(int chunkCount) => _chunks.Count == chunkCount && (chunkCount == 0 || _chunks.Keys.Last() == chunkCount - 1);

    /// <summary>The chunks in index order, or null when their offsets do not line up.</summary>
    public byte[]? Concatenate(long length)
    {
        if (BufferedBytes != length)
        {
            return null;
        }

        var content = new byte[length];
        long position = 0;
        foreach (var (index, chunk) in _chunks)
        {
            if (_headers[index].Offset != position)
            {
                return null;
            }

            chunk.CopyTo(content, position);
            position += chunk.Length;
        }

        return content;
    }
}
