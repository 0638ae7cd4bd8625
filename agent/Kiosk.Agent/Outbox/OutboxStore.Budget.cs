using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;

namespace Kiosk.Agent.Outbox;

/// <summary>The outbox's byte budget: eviction, expiry and the warning mark (see <see cref="OutboxBudget"/>).</summary>
public sealed partial class OutboxStore
{
    /// <summary>Deletes expired rows, then telemetry and audit rows oldest first, until <paramref name="needed"/> bytes are free. Never check-ins or alerts.</summary>
    private void Evict(long needed, DateTimeOffset now)
    {
        using var transaction = _connection.BeginTransaction();
        using var candidates = Command(transaction, $"""
            SELECT seq, record_id, bytes, expires_at IS NOT NULL AND expires_at <= $now AS expired FROM records
            WHERE (expires_at IS NOT NULL AND expires_at <= $now) OR priority >= {(int)RecordPriority.Audit}
            ORDER BY expired DESC, priority DESC, seq;
            """);
        candidates.Parameters.AddWithValue("$now", OutboxTime.Format(now));
        var victims = new List<(long Seq, string RecordId, long Bytes, bool Expired)>();
        long freed = 0;
        using (var reader = candidates.ExecuteReader())
        {
            while (freed < needed && reader.Read())
            {
                victims.Add((reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3) == 1));
                freed += reader.GetInt64(2);
            }
        }

        using var delete = Command(transaction, "DELETE FROM records WHERE seq = $seq;");
        var seqParameter = delete.Parameters.Add("$seq", SqliteType.Integer);
        using var audit = Command(transaction, "INSERT INTO audit(at, event, record_id, detail) VALUES ($at, 'evicted', $id, $detail);");
        audit.Parameters.AddWithValue("$at", OutboxTime.Format(now));
        var idParameter = audit.Parameters.Add("$id", SqliteType.Text);
        var detailParameter = audit.Parameters.Add("$detail", SqliteType.Text);
        foreach (var victim in victims)
        {
            seqParameter.Value = victim.Seq;
            delete.ExecuteNonQuery();
            idParameter.Value = victim.RecordId;
            detailParameter.Value = victim.Expired ? "expired" : "low priority, outbox above high-water mark";
            audit.ExecuteNonQuery();
        }

        transaction.Commit();
        Interlocked.Add(ref _usedBytes, -freed);
    }

    /// <summary>Deletes rows whose time to live has passed (telemetry only ever has one). Returns how many.</summary>
    public async Task<int> PurgeExpiredAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var purge = Command(null, "DELETE FROM records WHERE expires_at IS NOT NULL AND expires_at <= $now RETURNING bytes;");
            purge.Parameters.AddWithValue("$now", OutboxTime.Format(_timeProvider.GetUtcNow()));
            var count = 0;
            long freed = 0;
            using (var reader = purge.ExecuteReader())
            {
                while (reader.Read())
                {
                    count++;
                    freed += reader.GetInt64(0);
                }
            }

            Interlocked.Add(ref _usedBytes, -freed);
            return count;
        }
        finally
        {
            _gate.Release();
            CheckWarning();
        }
    }

    private void CheckWarning()
    {
        var above = Interlocked.Read(ref _usedBytes) >= _budget.WarningBytes;
        if (above != _aboveWarning)
        {
            _aboveWarning = above;
            WarningChanged?.Invoke(this, Usage);
        }
    }
}
