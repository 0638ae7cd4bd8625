using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Kiosk.Ctl.Status;

/// <summary>
/// JSON for scripts from <c>status</c> and <c>queue</c>: camelCase, indented, and readable as text (a time's
/// <c>+00:00</c> and Chinese text are written as they are, not as \u escapes).
/// </summary>
internal static class JsonOut
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static void Print<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, Options));

    /// <summary>Re-indents JSON received from the agent, keeping its names and values.</summary>
    public static void PrintRaw(string json) => Console.Out.WriteLine(JsonNode.Parse(json)!.ToJsonString(Options));
}
