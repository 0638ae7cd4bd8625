namespace Kiosk.Agent.Outbox.Recovery;

/// <summary>
/// Every attachment row of the damaged file that could be read (without its data), and the rowids that could not.
/// An unreadable row has no known owner, so the records it may belong to (those between the owners of its
/// readable neighbours) cannot be proven complete unless the <c>(record_seq, attachment_id)</c> index lists theirs.
/// </summary>
internal sealed class AttachmentCatalog
{
    private readonly SortedDictionary<long, AttachmentRow> _rows = [];
    private readonly SortedSet<long> _unreadable = [];
    private readonly Dictionary<long, List<long>> _bySeq = [];
    private readonly List<(long From, long To)> _ownerUnknown = [];

    private AttachmentCatalog(IReadOnlyList<string> columns) => Columns = columns;

    /// <summary>The columns read (and copied) besides <c>data</c>.</summary>
    public IReadOnlyList<string> Columns { get; }

    public static AttachmentCatalog Read(DamagedOutbox damaged, IReadOnlyList<string> columns)
    {
        ArgumentNullException.ThrowIfNull(damaged);
        var catalog = new AttachmentCatalog(columns);
        var seqColumn = IndexOf(columns, "record_seq");
        if (seqColumn < 0 || IndexOf(columns, "id") < 0)
        {
            return catalog;
        }

        var range = damaged.FindRange("attachments", sequence: null);
        DamagedOutbox.Probe(
            range,
            id => damaged.ReadRow("attachments", columns, id),
            (id, values) =>
            {
                var row = new AttachmentRow(id, DamagedOutbox.ToInt64(values[seqColumn]), values);
                catalog._rows[id] = row;
                if (!catalog._bySeq.TryGetValue(row.RecordSeq, out var ids))
                {
                    catalog._bySeq[row.RecordSeq] = ids = [];
                }

                ids.Add(id);
            },
            id => catalog._unreadable.Add(id));
        catalog.HighestId = range.Known ? range.Last : range.SeenUpTo;
        if (!range.Known)
        {
            // Rows past the last one seen may exist on pages we could not reach; any record after it is suspect.
            catalog._unreadable.Add(range.SeenUpTo + 1);
        }

        catalog.PlaceUnreadable();
        return catalog;
    }

    public IReadOnlyCollection<long> Unreadable => _unreadable;

    /// <summary>The highest attachment rowid known to exist (or have existed); unreadable rowids above it are probes past the end.</summary>
    public long HighestId { get; private set; }

    public AttachmentRow? Row(long id) => _rows.GetValueOrDefault(id);

    public bool IsUnreadable(long id) => _unreadable.Contains(id);

    public IReadOnlyList<long> IdsOf(long seq) => _bySeq.TryGetValue(seq, out var ids) ? ids : [];

    /// <summary>True when an unreadable attachment row may belong to record <paramref name="seq"/>.</summary>
    public bool MayOwnUnreadable(long seq) => _ownerUnknown.Exists(range => seq >= range.From && seq <= range.To);

    /// <summary>Attachments are inserted in commit order, so an unreadable rowid belongs to a record between its neighbours' owners.</summary>
    private void PlaceUnreadable()
    {
        var ids = _rows.Keys.ToArray();
        long? runStart = null;
        long runEnd = 0;
        foreach (var id in _unreadable.Append(long.MaxValue))
        {
            if (runStart is not null && id != runEnd + 1)
            {
                var before = Owner(ids, Neighbour(ids, runStart.Value, before: true));
                var after = Owner(ids, Neighbour(ids, runEnd, before: false));
                // No readable neighbour on a side: the run may belong to any record on that side.
                var from = before < 0 ? long.MinValue : before;
                var to = after < 0 ? long.MaxValue : after;
                _ownerUnknown.Add((Math.Min(from, to), Math.Max(from, to)));
                runStart = null;
            }

            if (id == long.MaxValue)
            {
                break;
            }

            runStart ??= id;
            runEnd = id;
        }
    }

    /// <summary>Index in <paramref name="ids"/> of the readable rowid just before (or after) <paramref name="id"/>, or -1.</summary>
    private static int Neighbour(long[] ids, long id, bool before)
    {
        var index = Array.BinarySearch(ids, id);
        index = index >= 0 ? (before ? index - 1 : index + 1) : (before ? ~index - 1 : ~index);
        return index >= 0 && index < ids.Length ? index : -1;
    }

    private long Owner(long[] ids, int index) => index < 0 ? -1 : _rows[ids[index]].RecordSeq;

    public static int IndexOf(IReadOnlyList<string> columns, string name)
    {
        ArgumentNullException.ThrowIfNull(columns);
        for (var i = 0; i < columns.Count; i++)
        {
            if (string.Equals(columns[i], name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>One readable attachment row: its rowid, its record, and its column values (in <see cref="AttachmentCatalog.Columns"/> order).</summary>
internal sealed record AttachmentRow(long Id, long RecordSeq, object?[] Values);
