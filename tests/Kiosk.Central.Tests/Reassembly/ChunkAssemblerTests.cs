using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Kiosk.Central.Messages;
using Kiosk.Central.Reassembly;
using Kiosk.Central.Tests.Support;

namespace Kiosk.Central.Tests.Reassembly;

[TestFixture]
public sealed class ChunkAssemblerTests
{
    private static readonly KioskTopic Topic = new("s", "k", TopicChannel.Records, "checkin", null, null);

    [Test]
    public void ChunksInAnyOrderAroundTheRecordCompleteIt()
    {
        var assembler = new ChunkAssembler(1 << 20, TextWriter.Null);
        var content = Records.RandomBytes(2500, seed: 4);
        var record = Envelope(content, 1000);

        Assert.That(Chunk(assembler, record, content, 1000, 2).Completed, Is.Null);
        Assert.That(assembler.AddRecord(record).Completed, Is.Null);
        Assert.That(Chunk(assembler, record, content, 1000, 0).Completed, Is.Null);
        var outcome = Chunk(assembler, record, content, 1000, 1);

        Assert.That(outcome.Completed!.Attachments.Single().Content, Is.EqualTo(content));
        Assert.That(assembler.PendingRecords, Is.Zero);
        Assert.That(assembler.BufferedBytes, Is.Zero);
    }

    [Test]
    public void ChunksDisagreeingWithTheRecordAreMalformed()
    {
        var assembler = new ChunkAssembler(1 << 20, TextWriter.Null);
        var content = Records.RandomBytes(2500, seed: 5);
        var record = Envelope(content, 1000);
        assembler.AddRecord(record);
        var chunk = content[..1000];
        var header = new ChunkHeader(0, 3, 0, 2600, Convert.ToHexStringLower(SHA256.HashData(content)), Convert.ToHexStringLower(SHA256.HashData(chunk)));

        var outcome = assembler.AddChunk("s", "k", record.RecordId, "face", header, chunk);

        Assert.That(outcome.MalformedProblems, Has.Count.EqualTo(1));
        Assert.That(assembler.BufferedBytes, Is.Zero);
    }

    [Test]
    public void OverTheBudgetTheLeastRecentlyTouchedRecordIsDropped()
    {
        var assembler = new ChunkAssembler(1500, TextWriter.Null);
        var first = Records.RandomBytes(2000, seed: 6);
        var second = Records.RandomBytes(2000, seed: 7);
        var firstRecord = Envelope(first, 1000);
        var secondRecord = Envelope(second, 1000);

        Chunk(assembler, firstRecord, first, 1000, 0);
        Chunk(assembler, secondRecord, second, 1000, 0);

        Assert.That(assembler.PendingRecords, Is.EqualTo(1));
        Assert.That(assembler.BufferedBytes, Is.EqualTo(1000));
    }

    private static AssemblyOutcome Chunk(ChunkAssembler assembler, RecordEnvelope record, byte[] content, int chunkSize, int index)
    {
        var chunk = content.AsSpan(index * chunkSize, Math.Min(chunkSize, content.Length - (index * chunkSize))).ToArray();
        var header = new ChunkHeader(index, (content.Length + chunkSize - 1) / chunkSize, (long)index * chunkSize, content.Length, Convert.ToHexStringLower(SHA256.HashData(content)), Convert.ToHexStringLower(SHA256.HashData(chunk)));
        return assembler.AddChunk("s", "k", record.RecordId, "face", header, chunk);
    }

    private static RecordEnvelope Envelope(byte[] content, int chunkSize)
    {
        var json = new JsonObject { ["records"] = new JsonArray(Records.New(1, "checkin", Records.Attachment("face", content, chunkSize))) }.ToJsonString();
        return RecordBatchReader.Read(Topic, System.Text.Encoding.UTF8.GetBytes(json)).Records.Single();
    }
}
