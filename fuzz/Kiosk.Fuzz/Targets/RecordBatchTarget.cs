using System.Text;
using Kiosk.Central.Messages;
using Kiosk.Fuzz.Harness;

namespace Kiosk.Fuzz.Targets;

/// <summary>
/// A records/{kind} message as the central simulator receives it. Input: the topic, a newline, the payload (a topic the
/// platform would not route here is skipped, as KioskTopic.TryParse drops it first). Contract: never throws; every record
/// it accepts carries the topic's kind.
/// </summary>
internal sealed class RecordBatchTarget : IFuzzTarget
{
    public string Name => "record-batch";

    public string Covers => "simulators/Kiosk.Central/Messages/RecordBatchReader.cs RecordBatchReader.Read";

    public void Run(byte[] input)
    {
        var newline = Array.IndexOf(input, (byte)'\n');
        if (newline < 0 || !KioskTopic.TryParse(Encoding.UTF8.GetString(input, 0, newline), out var topic, out _) || topic!.Channel != TopicChannel.Records)
        {
            return;
        }

        var batch = RecordBatchReader.Read(topic, input.AsMemory(newline + 1));
        if (batch.Records.Any(r => r.Kind != topic.Kind) || (batch.Records.Count == 0 && batch.Problems.Count == 0))
        {
            throw new ContractViolationException("a record of another kind was accepted, or nothing came back at all");
        }
    }
}
