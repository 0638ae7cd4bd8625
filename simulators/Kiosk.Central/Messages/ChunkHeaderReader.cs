using System.Globalization;

namespace Kiosk.Central.Messages;

/// <summary>Reads and cross-checks a chunk's user properties; a problem here makes the chunk malformed.</summary>
internal static class ChunkHeaderReader
{
    private static readonly string[] RequiredProperties = ["index", "count", "offset", "length", "sha256", "chunkSha256"];

    public static ChunkHeader? Read(IReadOnlyList<KeyValuePair<string, string>> properties, int payloadLength, out string problem)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in properties)
        {
            if (!values.TryAdd(name, value) && values[name] != value)
            {
                problem = $"user property '{name}' appears twice with different values";
                return null;
            }
        }

        var missing = RequiredProperties.Where(n => !values.ContainsKey(n)).ToList();
        if (missing.Count > 0)
        {
            problem = "missing user properties: " + string.Join(", ", missing);
            return null;
        }

        if (!TryInteger(values["index"], out var index) || !TryInteger(values["count"], out var count)
            || !TryInteger(values["offset"], out var offset) || !TryInteger(values["length"], out var length))
        {
            problem = "index, count, offset and length must be non-negative decimal integers";
            return null;
        }

        if (!ContractFormats.IsSha256Hex(values["sha256"]) || !ContractFormats.IsSha256Hex(values["chunkSha256"]))
        {
            problem = "sha256 and chunkSha256 must be 64 hex digits";
            return null;
        }

        if (count < 1 || count > int.MaxValue || index >= count)
        {
            problem = $"index {index} is not below count {count}";
            return null;
        }

        // Compared without adding: offset + payloadLength overflows for an offset near long.MaxValue (fuzz/ target "chunk-header").
        if (payloadLength <= 0 || offset > length || payloadLength > length - offset)
        {
            problem = $"a chunk of {payloadLength} bytes at offset {offset} does not fit an attachment of {length} bytes";
            return null;
        }

        problem = string.Empty;
        return new ChunkHeader((int)index, (int)count, offset, length, values["sha256"].ToLowerInvariant(), values["chunkSha256"].ToLowerInvariant());
    }

    private static bool TryInteger(string text, out long value) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
