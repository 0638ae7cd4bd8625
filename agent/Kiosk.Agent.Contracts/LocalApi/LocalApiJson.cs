using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kiosk.Agent.LocalApi;

/// <summary>How the local API writes and reads JSON: camelCase names, enums as camelCase strings.</summary>
public static class LocalApiJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };
}

/// <summary>The body of every 4xx answer of the local API: what was wrong with the request.</summary>
public sealed record LocalApiError(string Message);
