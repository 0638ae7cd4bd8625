using System.Globalization;
using Kiosk.Agent.Outbox.Encryption;
using Microsoft.Data.Sqlite;

namespace Kiosk.Agent.Outbox;

/// <summary>Records the sync cannot send (unreadable, or an attachment that fails its integrity check) are kept and held back for staff.</summary>
public sealed partial class OutboxStore
{
    /// <summary>
    /// Marks the record quarantined (kept, never sent, left out of the drain) and commits <paramref name="alert"/> in the same
    /// transaction, so a crash cannot leave one without the other. Returns false when it was quarantined already (no second alert).
    /// </summary>
    public async Task<bool> QuarantineAsync(long seq, string problem, NewRecord alert, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var body = alert.Body.ToJsonString();
        var now = _timeProvider.GetUtcNow();
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var transaction = _connection.BeginTransaction();
            using (var mark = Command(transaction, "UPDATE records SET quarantined = $problem WHERE seq = $seq AND quarantined IS NULL;"))
            {
                mark.Parameters.AddWithValue("$problem", problem);
                mark.Parameters.AddWithValue("$seq", seq);
                if (mark.ExecuteNonQuery() == 0)
                {
                    return false;
                }
            }

            using (var audit = Command(transaction, "INSERT INTO audit(at, event, record_id, detail) VALUES ($at, 'quarantined', (SELECT record_id FROM records WHERE seq = $seq), $detail);"))
            {
                audit.Parameters.AddWithValue("$at", OutboxTime.Format(now));
                audit.Parameters.AddWithValue("$seq", seq);
                audit.Parameters.AddWithValue("$detail", problem);
                audit.ExecuteNonQuery();
            }

            var monotonicMs = (long)_timeProvider.GetElapsedTime(_bootTimestamp).TotalMilliseconds;
            InsertRecord(transaction, alert, RecordIds.New(_timeProvider), now, monotonicMs, body, body.Length, cancellationToken);
            transaction.Commit();
            Interlocked.Add(ref _usedBytes, body.Length);
            Signal.Set();
            return true;
        }
        finally
        {
            _gate.Release();
            CheckWarning();
        }
    }

    /// <summary>Seals, in one transaction, the plain bodies an older release left (it sealed biometric attachments only).</summary>
    private void SealPlainBodies()
    {
        if (_cipher is null)
        {
            return;
        }

        var plain = new List<(long Seq, string RecordId, string Body)>();
        using (var query = Command(null, "SELECT seq, record_id, body FROM records WHERE body_sealed = 0 AND typeof(body) = 'text';"))
        using (var reader = query.ExecuteReader())
        {
            while (reader.Read())
            {
                plain.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2)));
            }
        }

        if (plain.Count == 0)
        {
            return;
        }

        using var transaction = _connection.BeginTransaction();
        using var update = Command(transaction, "UPDATE records SET body = $body, body_sealed = 1, body_sha256 = $sha WHERE seq = $seq;");
        var bodyParameter = update.Parameters.Add("$body", SqliteType.Blob);
        var shaParameter = update.Parameters.Add("$sha", SqliteType.Text);
        var seqParameter = update.Parameters.Add("$seq", SqliteType.Integer);
        foreach (var (seq, recordId, json) in plain)
        {
            var stored = RecordBodies.Store(json, recordId, _cipher);
            bodyParameter.Value = stored.Value;
            shaParameter.Value = stored.Sha256;
            seqParameter.Value = seq;
            update.ExecuteNonQuery();
        }

        using var audit = Command(transaction, "INSERT INTO audit(at, event, record_id, detail) VALUES ($at, 'sealed', NULL, $detail);");
        audit.Parameters.AddWithValue("$at", OutboxTime.Format(_timeProvider.GetUtcNow()));
        audit.Parameters.AddWithValue("$detail", string.Create(CultureInfo.InvariantCulture, $"{plain.Count} record bodies written before bodies were sealed"));
        audit.ExecuteNonQuery();
        transaction.Commit();

        // The old plain pages are zeroed in the file (secure_delete); their images in the write-ahead log go with it.
        using var checkpoint = Command(null, "PRAGMA wal_checkpoint(TRUNCATE);");
        checkpoint.ExecuteNonQuery();
    }
}
