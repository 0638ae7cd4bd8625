using System.Buffers;
using Kiosk.Agent.Sync;
using Kiosk.Fuzz.Harness;

namespace Kiosk.Fuzz.Targets;

/// <summary>The platform's ack as the agent reads it off the broker. Contract: never throws; null comes with a reason.</summary>
internal sealed class AckTarget : IFuzzTarget
{
    public string Name => "ack";

    public string Covers => "agent/Kiosk.Agent/Sync/AckMessage.cs AckMessage.TryParse";

    public void Run(byte[] input)
    {
        var ack = AckMessage.TryParse(new ReadOnlySequence<byte>(input), out var error);
        if (ack is null == error is null)
        {
            throw new ContractViolationException($"TryParse returned {(ack is null ? "no ack" : "an ack")} and {(error is null ? "no reason" : "a reason")}");
        }
    }
}
