using System.Text.Json.Nodes;
using Json.Schema;
using Kiosk.TestSupport;

namespace Kiosk.Agent.Tests.Sync;

/// <summary>Validates a message against docs/schemas.</summary>
internal static class ContractSchema
{
    public static IReadOnlyList<string> Errors(string schemaFile, string json)
    {
        var schema = JsonSchema.FromText(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "schemas", schemaFile)));
        var result = schema.Evaluate(JsonNode.Parse(json), new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        return result.IsValid ? [] : [.. (result.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))];
    }
}
