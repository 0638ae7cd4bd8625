using System.Text.Json.Nodes;
using Kiosk.Agent.Outbox;
using Kiosk.Fleet.Measuring;
using Kiosk.TestSupport;
using Microsoft.Data.Sqlite;

namespace Kiosk.Fleet.Tests.Measuring;

public sealed class OutboxCensusTests
{
    [Test]
    public async Task Reads_the_last_seq_ever_handed_out_and_the_rows_still_there_from_the_file()
    {
        using var folder = new TempFolder("fleet-census");
        var path = folder.File("outbox.db");
        using (var outbox = OutboxStore.Open(path, TimeProvider.System, key: new byte[32]))
        {
            for (var i = 0; i < 3; i++)
            {
                await outbox.CommitAsync(new NewRecord(RecordKind.CheckIn, new JsonObject { ["n"] = i }), CancellationToken.None);
            }
        }

        // Delete seq 3 behind the agent's back: the counter still says 3 were committed.
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var delete = connection.CreateCommand();
            delete.CommandText = "DELETE FROM records WHERE seq = 3;";
            delete.ExecuteNonQuery();
        }

        var census = OutboxCensus.Read("site-001", "kiosk-0001", path);

        Assert.That(census.LastSeq, Is.EqualTo(3));
        Assert.That(census.Remaining, Is.EquivalentTo(new long[] { 1, 2 }));
    }

    [Test]
    public void A_missing_outbox_is_an_error_naming_the_kiosk()
    {
        using var folder = new TempFolder("fleet-census");

        var error = Assert.Throws<FileNotFoundException>(() => OutboxCensus.Read("site-001", "kiosk-0007", folder.File("outbox.db")));

        Assert.That(error!.Message, Does.Contain("site-001/kiosk-0007"));
    }
}
