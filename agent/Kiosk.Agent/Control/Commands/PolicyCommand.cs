using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Kiosk.Agent.Configuration;
using Kiosk.Agent.Session;

namespace Kiosk.Agent.Control.Commands;

/// <summary>
/// <c>cmd/policy</c> (docs/schemas/cmd-policy.schema.json): per supervision level, the steps, the report's questions, the
/// face attempts, whether liveness blocks or flags, the active liveness challenge (optional, default none), the document types to scan and the attachments' retention. Validated
/// strictly (a refusal names the field), stored sealed and versioned by <see cref="PolicyStore"/>, in force for sessions
/// that start after it; it takes precedence over <c>Kiosk:Session</c>, which stays the site's default.
/// </summary>
internal sealed partial class PolicyCommand(PolicyStore store) : ICommandHandler
{
    public const int MaxLevels = 16;
    public const int MaxQuestions = 50;
    public const int MaxQuestionText = 500;
    public const int MaxDocumentTypes = 20;
    public const int MaxFaceAttempts = 10;
    public const int MaxRetentionDays = 3650;

    private static readonly string[] BodyFields = ["commandId", "version", "levels"];
    private static readonly string[] LevelFields = ["steps", "questions", "faceAttempts", "liveness", "documentTypes", "attachmentRetentionDays"];

    /// <summary>Level fields a policy may leave out; the default keeps what a policy without them always meant.</summary>
    private static readonly string[] OptionalLevelFields = ["livenessChallenge"];
    private static readonly string[] QuestionFields = ["id", "text", "answerType", "required", "choices"];
    private static readonly string[] TextFields = ["zh-CN", "en"];

    public string Name => "policy";

    public int MaxMessageBytes => 256 * 1024;

    public async Task<CommandResult> RunAsync(CommandRequest request, CancellationToken cancellationToken)
    {
        if (!TryParse(request.Body, out var policy, out var error))
        {
            return CommandResult.Refused(error);
        }

        var (applied, message) = await store.ApplyAsync(policy!, request.Body.GetRawText(), cancellationToken).ConfigureAwait(false);
        return applied is null
            ? CommandResult.Refused(message)
            : CommandResult.Done(message, new JsonObject { ["version"] = applied.Version, ["levels"] = new JsonArray([.. applied.Levels.Keys.Order(StringComparer.Ordinal).Select(l => JsonValue.Create(l))]) });
    }

    /// <summary>The fuzz-friendly entry point: parses and validates a whole body; never throws on any input.</summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8Json, out SessionPolicy? policy, out string error)
    {
        using var document = CommandJson.Parse(utf8Json, out error);
        if (document is null)
        {
            policy = null;
            return false;
        }

        return TryParse(document.RootElement, out policy, out error);
    }

    public static bool TryParse(JsonElement body, out SessionPolicy? policy, out string error)
    {
        error = Validate(body, out policy) ?? "";
        return error.Length == 0;
    }

    private static string? Validate(JsonElement body, out SessionPolicy? policy)
    {
        policy = null;
        if (CommandJson.BrokenText(body) is { } broken)
        {
            return broken;
        }

        if (CommandJson.OnlyKnown(body, "", BodyFields) is { } unknown)
        {
            return unknown;
        }

        if (!body.TryGetProperty("version", out var versionElement) || !CommandJson.TryWholeNumber(versionElement, 1, CommandJson.MaxSafeInteger, out var version))
        {
            return "version: must be a whole number from 1 to 2^53-1";
        }

        if (!body.TryGetProperty("levels", out var levelsElement) || levelsElement.ValueKind != JsonValueKind.Object)
        {
            return "levels: must be an object of supervision level → its policy";
        }

        var levels = new Dictionary<string, LevelPolicy>(StringComparer.OrdinalIgnoreCase);
        foreach (var level in levelsElement.EnumerateObject())
        {
            if (!CommandJson.IsLevel(level.Name))
            {
                return $"levels: '{CommandJson.Shorten(level.Name)}' is not a supervision level (^[a-z][a-z0-9-]{{0,31}}$)";
            }

            if (levels.ContainsKey(level.Name))
            {
                return $"levels.{level.Name}: appears twice";
            }

            if (ValidateLevel(level.Value, $"levels.{level.Name}", out var parsed) is { } problem)
            {
                return problem;
            }

            levels[level.Name] = parsed!;
        }

        if (levels.Count is 0 or > MaxLevels)
        {
            return $"levels: must hold 1..{MaxLevels} supervision levels";
        }

        policy = new SessionPolicy(version, levels);
        return null;
    }

    private static string? ValidateLevel(JsonElement element, string path, out LevelPolicy? level)
    {
        level = null;
        if (CommandJson.OnlyKnown(element, path, [.. LevelFields, .. OptionalLevelFields]) is { } unknown)
        {
            return unknown;
        }

        foreach (var field in LevelFields)
        {
            if (!element.TryGetProperty(field, out _))
            {
                return $"{path}.{field}: is missing";
            }
        }

        var stepsElement = element.GetProperty("steps");
        if (stepsElement.ValueKind != JsonValueKind.Array)
        {
            return $"{path}.steps: must be an array of step names";
        }

        var steps = new List<CheckInStep>();
        var index = 0;
        foreach (var item in stepsElement.EnumerateArray())
        {
            if (CommandJson.String(item) is not { } name || CheckInSteps.FromWireName(name) is not { } step)
            {
                return $"{path}.steps[{index}]: must be one of {string.Join(", ", Enum.GetValues<CheckInStep>().Select(s => s.WireName()))}";
            }

            if (steps.Contains(step))
            {
                return $"{path}.steps[{index}]: '{name}' is listed twice";
            }

            steps.Add(step);
            index++;
        }

        if (steps.Count == 0 || steps[0] != CheckInStep.IdCard)
        {
            return $"{path}.steps: must start with idCard (the person is identified first)";
        }

        var questionsElement = element.GetProperty("questions");
        if (questionsElement.ValueKind != JsonValueKind.Array || questionsElement.GetArrayLength() > MaxQuestions)
        {
            return $"{path}.questions: must be an array of at most {MaxQuestions} questions";
        }

        var questions = new List<ReportQuestion>();
        index = 0;
        foreach (var item in questionsElement.EnumerateArray())
        {
            if (ValidateQuestion(item, $"{path}.questions[{index}]", out var question) is { } problem)
            {
                return problem;
            }

            if (questions.Any(q => q.Id == question!.Id))
            {
                return $"{path}.questions[{index}].id: the same id is used twice";
            }

            questions.Add(question!);
            index++;
        }

        if (steps.Contains(CheckInStep.ReportAnswers) != (questions.Count > 0))
        {
            return steps.Contains(CheckInStep.ReportAnswers)
                ? $"{path}.questions: the level has the reportAnswers step, so it needs at least one question"
                : $"{path}.questions: the level has no reportAnswers step, so its questions would never be asked (give an empty array)";
        }

        if (!CommandJson.TryWholeNumber(element.GetProperty("faceAttempts"), 1, MaxFaceAttempts, out var attempts))
        {
            return $"{path}.faceAttempts: must be a whole number from 1 to {MaxFaceAttempts}";
        }

        var liveness = CommandJson.String(element.GetProperty("liveness"));
        if (liveness is not ("block" or "flag"))
        {
            return $"{path}.liveness: must be \"block\" (a failed liveness check fails the attempt) or \"flag\" (it is only recorded)";
        }

        var typesElement = element.GetProperty("documentTypes");
        if (typesElement.ValueKind != JsonValueKind.Array || typesElement.GetArrayLength() > MaxDocumentTypes)
        {
            return $"{path}.documentTypes: must be an array of at most {MaxDocumentTypes} document types";
        }

        var types = new List<string>();
        index = 0;
        foreach (var item in typesElement.EnumerateArray())
        {
            if (CommandJson.String(item) is not { } type || !DocumentTypePattern().IsMatch(type))
            {
                return $"{path}.documentTypes[{index}]: must match ^[a-z][A-Za-z0-9-]{{0,31}}$";
            }

            if (types.Contains(type, StringComparer.Ordinal))
            {
                return $"{path}.documentTypes[{index}]: listed twice";
            }

            types.Add(type);
            index++;
        }

        if (steps.Contains(CheckInStep.DocumentScan) != (types.Count > 0))
        {
            return steps.Contains(CheckInStep.DocumentScan)
                ? $"{path}.documentTypes: the level has the documentScan step, so it needs at least one document type"
                : $"{path}.documentTypes: the level has no documentScan step, so nothing would be scanned (give an empty array)";
        }

        if (!CommandJson.TryWholeNumber(element.GetProperty("attachmentRetentionDays"), 1, MaxRetentionDays, out var retention))
        {
            return $"{path}.attachmentRetentionDays: must be a whole number from 1 to {MaxRetentionDays}";
        }

        var challenge = LivenessChallenge.None;
        if (element.TryGetProperty("livenessChallenge", out var challengeElement))
        {
            if (ChallengeOf(CommandJson.String(challengeElement)) is not { } known)
            {
                return $"{path}.livenessChallenge: must be \"none\" (no challenge), \"blink\", \"turn\" (left or right, drawn per attempt) or \"either\" (blink or turn, drawn per attempt)";
            }

            challenge = known;
        }

        if (challenge != LivenessChallenge.None && !steps.Contains(CheckInStep.Face))
        {
            return $"{path}.livenessChallenge: the level has no face step, so the challenge would never be asked (give \"none\" or leave it out)";
        }

        level = new LevelPolicy(steps, questions, (int)attempts, liveness == "block", types, (int)retention) { Challenge = challenge };
        return null;
    }

    private static string? ValidateQuestion(JsonElement element, string path, out ReportQuestion? question)
    {
        question = null;
        if (CommandJson.OnlyKnown(element, path, QuestionFields) is { } unknown)
        {
            return unknown;
        }

        var id = element.TryGetProperty("id", out var e) ? CommandJson.String(e) : null;
        if (id is null || !QuestionIdPattern().IsMatch(id))
        {
            return $"{path}.id: must match ^[A-Za-z][A-Za-z0-9_-]{{0,63}}$";
        }

        if (ValidateTexts(element, $"{path}.text", MaxQuestionText, out var texts) is { } textProblem)
        {
            return textProblem;
        }

        var answerType = (element.TryGetProperty("answerType", out e) ? CommandJson.String(e) : null) switch
        {
            "yesNo" => AnswerType.YesNo,
            "text" => AnswerType.Text,
            "number" => AnswerType.Number,
            "date" => AnswerType.Date,
            _ => (AnswerType?)null,
        };
        if (answerType is null)
        {
            return $"{path}.answerType: must be yesNo, text, number or date";
        }

        if (!element.TryGetProperty("required", out e) || e.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            return $"{path}.required: must be true or false";
        }

        var required = e.GetBoolean();
        var choices = new List<AnswerChoice>();
        if (element.TryGetProperty("choices", out var choicesElement) && ValidateChoices(choicesElement, $"{path}.choices", answerType.Value, choices) is { } choiceProblem)
        {
            return choiceProblem;
        }

        question = new ReportQuestion(id, texts[0], texts[1], answerType.Value, required) { Choices = choices };
        return null;
    }

    /// <summary>The <c>text</c> object (<paramref name="path"/>) of a question or choice: both languages, 1..<paramref name="maxLength"/> characters each.</summary>
    private static string? ValidateTexts(JsonElement owner, string path, int maxLength, out string[] texts)
    {
        texts = new string[TextFields.Length];
        if (!owner.TryGetProperty("text", out var text) || CommandJson.OnlyKnown(text, path, TextFields) is not null)
        {
            return $"{path}: must be an object with \"zh-CN\" and \"en\"";
        }

        for (var i = 0; i < TextFields.Length; i++)
        {
            var value = text.TryGetProperty(TextFields[i], out var t) ? CommandJson.String(t) : null;
            if (string.IsNullOrWhiteSpace(value) || value.Length > maxLength || value.Any(c => char.IsControl(c) && c != '\n'))
            {
                return $"{path}.{TextFields[i]}: must be 1..{maxLength} characters without control characters";
            }

            texts[i] = value;
        }

        return null;
    }

    /// <summary>The wire name of a policy's liveness challenge: none, blink, turn, either.</summary>
    public static string WireName(LivenessChallenge challenge) => challenge.ToString().ToLowerInvariant();

    private static LivenessChallenge? ChallengeOf(string? name) => name switch
    {
        "none" => LivenessChallenge.None,
        "blink" => LivenessChallenge.Blink,
        "turn" => LivenessChallenge.Turn,
        "either" => LivenessChallenge.Either,
        _ => null,
    };

    public static string WireName(AnswerType type) => type switch
    {
        AnswerType.YesNo => "yesNo",
        AnswerType.Number => "number",
        AnswerType.Date => "date",
        _ => "text",
    };

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]{0,63}$")]
    private static partial Regex QuestionIdPattern();

    [GeneratedRegex("^[a-z][A-Za-z0-9-]{0,31}$")]
    private static partial Regex DocumentTypePattern();
}
