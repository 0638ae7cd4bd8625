using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Kiosk.Agent.Session;

namespace Kiosk.Agent.Control.Commands;

/// <summary>
/// A question's <c>choices</c>: the answers a person picks from on the screen (large buttons instead of typing), for a
/// text or number question. A yesNo question already is a choice of two; a date is typed on the digit pad.
/// </summary>
internal sealed partial class PolicyCommand
{
    public const int MinChoices = 2;
    public const int MaxChoices = 20;

    /// <summary>A choice's label is a button: short enough to read at a glance.</summary>
    public const int MaxChoiceText = 100;

    private static readonly string[] ChoiceFields = ["value", "text"];

    private static string? ValidateChoices(JsonElement element, string path, AnswerType answerType, List<AnswerChoice> choices)
    {
        if (element.ValueKind != JsonValueKind.Array || element.GetArrayLength() is < MinChoices or > MaxChoices)
        {
            return $"{path}: must be an array of {MinChoices}..{MaxChoices} choices";
        }

        if (answerType is not (AnswerType.Text or AnswerType.Number))
        {
            return $"{path}: only a text or number question takes choices (yesNo already offers yes and no; a date is typed)";
        }

        var index = 0;
        foreach (var item in element.EnumerateArray())
        {
            var at = $"{path}[{index}]";
            if (CommandJson.OnlyKnown(item, at, ChoiceFields) is { } unknown)
            {
                return unknown;
            }

            var value = item.TryGetProperty("value", out var e) ? CommandJson.String(e) : null;
            if (value is null || !ChoiceValuePattern().IsMatch(value))
            {
                return $"{at}.value: must match ^[A-Za-z0-9_.+-]{{1,64}}$ (the answer the record stores)";
            }

            if (answerType == AnswerType.Number && !decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out _))
            {
                return $"{at}.value: the question's answerType is number, so '{value}' must be a number";
            }

            if (choices.Any(c => c.Value == value))
            {
                return $"{at}.value: '{value}' is listed twice";
            }

            if (ValidateTexts(item, $"{at}.text", MaxChoiceText, out var texts) is { } textProblem)
            {
                return textProblem;
            }

            choices.Add(new AnswerChoice(value, texts[0], texts[1]));
            index++;
        }

        return null;
    }

    [GeneratedRegex("^[A-Za-z0-9_.+-]{1,64}$")]
    private static partial Regex ChoiceValuePattern();
}
