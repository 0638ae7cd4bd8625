using System.Globalization;

namespace Kiosk.Agent.Outbox.Recovery;

/// <summary>What a salvage copied; <paramref name="LostSeqs"/> is an upper bound (an unreadable seq may have been acknowledged and deleted).</summary>
internal sealed record SalvageResult(int RecordsSaved, IReadOnlyList<long> LostSeqs, int AttachmentsLost, bool LostCountKnown, long? HighestSeq)
{
    /// <summary>Seqs as ranges, <c>3-7,12</c>, so a large loss stays one readable line.</summary>
    public static string Ranges(IReadOnlyList<long> seqs)
    {
        ArgumentNullException.ThrowIfNull(seqs);
        var parts = new List<string>();
        for (var i = 0; i < seqs.Count;)
        {
            var j = i;
            while (j + 1 < seqs.Count && seqs[j + 1] == seqs[j] + 1)
            {
                j++;
            }

            parts.Add(i == j ? seqs[i].ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{seqs[i]}-{seqs[j]}"));
            i = j + 1;
        }

        return string.Join(',', parts);
    }
}
