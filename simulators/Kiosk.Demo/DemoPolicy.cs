using System.Text.Json.Nodes;

namespace Kiosk.Demo;

/// <summary>
/// The session policy the demo's platform sends (<c>cmd/policy</c>): the configuration's default steps per level, the
/// three questions the simulated visitors answer (the health one a choice list, which the screen shows as buttons), at
/// the strict level an active liveness challenge (blink or turn, drawn per attempt, prompted on the screen), and liveness
/// only flagged (a camera reading a still picture, as the real-driver demo's does, is never live and never does a
/// challenge: its check-ins are stored with the face step's <c>livenessFlagged</c>).
/// </summary>
internal static class DemoPolicy
{
    public static JsonObject Create(long version) => new()
    {
        ["version"] = version,
        ["levels"] = new JsonObject
        {
            ["normal"] = Level(["idCard", "face", "reportAnswers", "signature"], [], 90, "none"),
            ["strict"] = Level(["idCard", "face", "fingerprint", "reportAnswers", "spokenReport", "documentScan", "signature"], ["workCertificate", "residenceCertificate"], 180, "either"),
        },
    };

    private static JsonObject Level(string[] steps, string[] documentTypes, int retentionDays, string livenessChallenge) => new()
    {
        ["steps"] = new JsonArray([.. steps.Select(s => JsonValue.Create(s))]),
        ["questions"] = new JsonArray(
            Question("residenceChanged", "居住地是否变更？", "Has your residence changed?", required: true),
            Question("employment", "目前就业情况", "Your current employment", required: true),
            Question("healthStatus", "身体状况", "Your health", required: false, ("good", "良好", "Good"), ("fair", "一般", "Fair"), ("poor", "较差", "Poor"))),
        ["faceAttempts"] = 2,
        ["liveness"] = "flag",
        ["livenessChallenge"] = livenessChallenge,
        ["documentTypes"] = new JsonArray([.. documentTypes.Select(t => JsonValue.Create(t))]),
        ["attachmentRetentionDays"] = retentionDays,
    };

    private static JsonObject Question(string id, string zh, string en, bool required, params (string Value, string Zh, string En)[] choices)
    {
        var question = new JsonObject
        {
            ["id"] = id,
            ["text"] = new JsonObject { ["zh-CN"] = zh, ["en"] = en },
            ["answerType"] = "text",
            ["required"] = required,
        };
        if (choices.Length > 0)
        {
            question["choices"] = new JsonArray([.. choices.Select(c => new JsonObject { ["value"] = c.Value, ["text"] = new JsonObject { ["zh-CN"] = c.Zh, ["en"] = c.En } })]);
        }

        return question;
    }
}
