using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace Kiosk.Ctl;

/// <summary>How kioskctl talks: tables for people, one JSON object for scripts, errors on stderr with an exit code.</summary>
internal static class Output
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public static void Json<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, JsonOptions));

    public static int Error(string message, int exitCode)
    {
        Console.Error.WriteLine($"kioskctl: {message}");
        return exitCode;
    }
}
