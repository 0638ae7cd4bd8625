using System.Globalization;
using System.Text;
using Kiosk.Central.Messages;
using Kiosk.Fuzz.Harness;

namespace Kiosk.Fuzz.Targets;

/// <summary>
/// A blob chunk's MQTT 5 user properties as the central simulator checks them. Input (UTF-8 lines): the payload length,
/// then one "name=value" property a line. Contract: never throws; a header it accepts places the chunk inside its
/// attachment (0 &lt;= index &lt; count, 0 &lt;= offset, offset + payload length &lt;= length).
/// </summary>
internal sealed class ChunkHeaderTarget : IFuzzTarget
{
    public string Name => "chunk-header";

    public string Covers => "simulators/Kiosk.Central/Messages/ChunkHeaderReader.cs ChunkHeaderReader.Read";

    public void Run(byte[] input)
    {
        var lines = Encoding.UTF8.GetString(input).Split('\n');
        var payloadLength = int.TryParse(lines[0], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
        var properties = lines.Skip(1)
            .Select(line => line.Split('=', 2))
            .Select(pair => new KeyValuePair<string, string>(pair[0], pair.Length > 1 ? pair[1] : ""))
            .ToList();

        var header = ChunkHeaderReader.Read(properties, payloadLength, out var problem);
        if (header is null)
        {
            if (problem.Length == 0)
            {
                throw new ContractViolationException("a refused chunk came back without a problem");
            }

            return;
        }

        if (header.Index < 0 || header.Index >= header.Count || header.Offset < 0 || header.Offset > header.Length - payloadLength)
        {
            throw new ContractViolationException($"accepted a chunk of {payloadLength} bytes at offset {header.Offset} of {header.Length}, index {header.Index} of {header.Count}");
        }
    }
}
