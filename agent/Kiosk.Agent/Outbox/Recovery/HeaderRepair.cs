using System.Buffers.Binary;
using System.Text;

namespace Kiosk.Agent.Outbox.Recovery;

/// <summary>
/// When the 100-byte database header is garbage ("file is not a database") the pages behind it are usually
/// fine. This writes a reconstructed header onto a scratch copy (the damaged file itself is never changed)
/// so the salvage can read them. Layout: https://sqlite.org/fileformat2.html#the_database_header.
/// </summary>
internal static class HeaderRepair
{
    private const int HeaderBytes = 100;
    private static readonly int[] PageSizes = [4096, 1024, 2048, 8192, 16384, 32768, 65536, 512];

    /// <summary>
    /// Copies <paramref name="damagedFile"/> (and its <c>-wal</c>) to <paramref name="scratch"/> and tries each
    /// plausible page size until the records table reads; null (and no scratch left behind) when none does.
    /// </summary>
    public static DamagedOutbox? TryOpenRepaired(string damagedFile, string scratch)
    {
        try
        {
            File.Copy(damagedFile, scratch, overwrite: true);
            if (File.Exists(damagedFile + "-wal"))
            {
                File.Copy(damagedFile + "-wal", scratch + "-wal", overwrite: true);
            }
        }
        catch (IOException)
        {
            Delete(scratch);
            return null;
        }

        var length = new FileInfo(scratch).Length;
        var hasWal = File.Exists(scratch + "-wal");
        foreach (var pageSize in Candidates(scratch + "-wal").Where(size => length >= size && length % size == 0))
        {
            File.Delete(scratch + "-shm"); // a wal-index built for another page size would mislead the next try
            WriteHeader(scratch, pageSize, (uint)(length / pageSize), hasWal);
            var opened = DamagedOutbox.TryOpen(scratch);
            if (opened is not null && opened.Columns("records").Count > 0 && opened.FindRange("records", opened.Sequence("records")) is { Known: true, Last: > 0 })
            {
                return opened;
            }

            opened?.Dispose();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }

        Delete(scratch);
        return null;
    }

    public static void Delete(string scratch)
    {
        foreach (var suffix in new[] { "-wal", "-shm", string.Empty })
        {
            File.Delete(scratch + suffix);
        }
    }

    /// <summary>The WAL header records the page size (offset 8, big-endian); try it first, then SQLite's default, then the rest.</summary>
    private static IEnumerable<int> Candidates(string wal)
    {
        if (File.Exists(wal) && new FileInfo(wal).Length >= 32)
        {
            var header = new byte[32];
            using (var stream = File.OpenRead(wal))
            {
                stream.ReadExactly(header);
            }

            var fromWal = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(8));
            if (PageSizes.Contains(fromWal))
            {
                yield return fromWal;
            }
        }

        foreach (var size in PageSizes)
        {
            yield return size;
        }
    }

    private static void WriteHeader(string file, int pageSize, uint pageCount, bool wal)
    {
        var header = new byte[HeaderBytes];
        Encoding.ASCII.GetBytes("SQLite format 3\0").CopyTo(header, 0);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(16), (ushort)(pageSize == 65536 ? 1 : pageSize));
        header[18] = header[19] = (byte)(wal ? 2 : 1); // file format write/read version: 2 = WAL, so the -wal is read
        header[20] = 0; // no reserved bytes at the end of each page: the outbox uses none
        header[21] = 64; // max embedded payload fraction, fixed by the format
        header[22] = 32; // min embedded payload fraction
        header[23] = 32; // leaf payload fraction
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(24), 1); // change counter, equal to "version valid for" so the page count is trusted
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(28), pageCount);
        // 32..39: freelist trunk and count stay 0; a read-only salvage never needs the freelist.
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(40), 1); // schema cookie
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(44), 4); // schema format 4
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(56), 1); // text encoding UTF-8
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(92), 1); // version-valid-for
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(96), 3_045_000); // SQLITE_VERSION_NUMBER that "wrote" it
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Write);
        stream.Write(header);
    }
}
