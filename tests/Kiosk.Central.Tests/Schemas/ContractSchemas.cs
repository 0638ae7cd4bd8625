using System.Text.RegularExpressions;
using Json.Schema;
using Kiosk.TestSupport;

namespace Kiosk.Central.Tests.Schemas;

/// <summary>The schemas in docs/schemas and the examples of docs/mqtt-contract.md marked for them.</summary>
internal static partial class ContractSchemas
{
    /// <summary>Every schema in docs/schemas: each must have an example in the contract.</summary>
    public static readonly string[] Names = [.. Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "docs", "schemas"), "*.schema.json").Select(Path.GetFileName).Order(StringComparer.Ordinal).Cast<string>()];

    public static string PathOf(string name) => Path.Combine(RepositoryPaths.Root, "docs", "schemas", name);

    public static JsonSchema Load(string name) => JsonSchema.FromText(File.ReadAllText(PathOf(name)));

    public static EvaluationOptions Options => new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };

    /// <summary>(schema file, example JSON) for every <c>&lt;!-- example: X --&gt;</c> followed by a json fence in mqtt-contract.md.</summary>
    public static IEnumerable<(string Schema, string Json)> Examples()
    {
        var contract = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "mqtt-contract.md"));
        return ExamplePattern().Matches(contract).Select(m => (m.Groups["schema"].Value, m.Groups["json"].Value));
    }

    [GeneratedRegex(@"<!-- example: (?<schema>[a-z-]+\.schema\.json) -->\s*```json\s*\n(?<json>.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex ExamplePattern();
}
