using System.Text.Json;

namespace Kiosk.Central.Messages;

/// <summary>Typed reads of one JSON object's fields that remember the first problem instead of throwing.</summary>
internal sealed class JsonFields(JsonElement element, string path)
{
    public string Path { get; } = path;

    /// <summary>The first problem found, naming the field; null while everything read was fine.</summary>
    public string? Problem { get; private set; }

    public void Fail(string problem) => Problem ??= problem.StartsWith(Path, StringComparison.Ordinal) ? problem : $"{Path}: {problem}";

    public string? String(string name, Func<string, bool> isValid, string expected)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            Fail($"'{name}' is {value.ValueKind}, expected a string");
            return null;
        }

        string text;
        try
        {
            text = value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // System.Text.Json checks a string's text only when it is read (fuzz/ target "record-batch").
            Fail($"'{name}' is not valid UTF-8 text");
            return null;
        }

        if (!isValid(text))
        {
            Fail($"'{name}' is '{text}', expected {expected}");
            return null;
        }

        return text;
    }

    public long? Integer(string name, long min, long max)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number))
        {
            Fail($"'{name}' is {value.ValueKind}, expected an integer");
            return null;
        }

        if (number < min || number > max)
        {
            Fail($"'{name}' is {number}, expected {min}..{max}");
            return null;
        }

        return number;
    }

    /// <summary>A field that may be absent but, when present, is an integer.</summary>
    public void OptionalInteger(string name)
    {
        if (element.TryGetProperty(name, out var value) && (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out _)))
        {
            Fail($"'{name}' is {value.ValueKind}, expected an integer");
        }
    }

    public void Object(string name)
    {
        if (TryGet(name, out var value) && value.ValueKind != JsonValueKind.Object)
        {
            Fail($"'{name}' is {value.ValueKind}, expected an object");
        }
    }

    private bool TryGet(string name, out JsonElement value)
    {
        if (element.TryGetProperty(name, out value))
        {
            return true;
        }

        Fail($"'{name}' is missing");
        return false;
    }
}
