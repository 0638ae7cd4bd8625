using System.Text.RegularExpressions;
using Json.Schema;
using Kiosk.TestSupport;

namespace Kiosk.Central.Tests.Schemas;

/// <summary>The schemas in docs/schemas and the examples of docs/mqtt-contract.md marked for them.</summary>
internal static partial class ContractSchemas
{
    public static readonly string[] Names =
    [
        "state.schema.json", "telemetry.schema.json", "records.schema.json", "ack.schema.json", "blob-chunk.schema.json",
        "provisioning-enroll.schema.json", "provisioning-enroll-reply.schema.json", "provisioning-time.schema.json", "provisioning-time-reply.schema.json",
        "cmd-renew-certificate.schema.json", "certificate-request.schema.json", "cmd-certificate.schema.json",
    ];

    public static string PathOf(string name) => Path.Combine(RepositoryPaths.Root, "docs", "schemas", name);

    public static JsonSchema Load(string name) => JsonSchema.FromText(File.ReadAllText(PathOf(name)));

    public static EvaluationOptions Options => new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };

    /// <summary>
    /// (schema file, example JSON) for every <c>&lt;!-- example: X --&gt;</c> followed by a json fence, in the contract and
    /// in the parts (docs/parts) waiting to be folded into it.
    /// </summary>
    public static IEnumerable<(string Schema, string Json)> Examples()
    {
        var parts = Path.Combine(RepositoryPaths.Root, "docs", "parts");
        var files = new[] { Path.Combine(RepositoryPaths.Root, "docs", "mqtt-contract.md") }
            .Concat(Directory.Exists(parts) ? Directory.GetFiles(parts, "*.md").Order(StringComparer.Ordinal) : []);
        return files.SelectMany(f => ExamplePattern().Matches(File.ReadAllText(f)).Select(m => (m.Groups["schema"].Value, m.Groups["json"].Value)));
    }

    [GeneratedRegex(@"<!-- example: (?<schema>[a-z-]+\.schema\.json) -->\s*```json\s*\n(?<json>.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex ExamplePattern();
}
