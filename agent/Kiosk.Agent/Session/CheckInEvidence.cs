using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kiosk.Agent.Outbox;
using Kiosk.Devices;

using Kiosk.Agent.Configuration;

namespace Kiosk.Agent.Session;

/// <summary>
/// Everything one check-in has collected about one person. It owns copies of every captured byte,
/// so <see cref="Wipe"/> can zero them: after a reset nothing personal remains in the session's memory.
/// Not thread-safe: the session serialises access.
/// </summary>
internal sealed class CheckInEvidence
{
    private readonly List<byte[]> _buffers = [];
    private readonly List<NewAttachment> _attachments = [];

    public CheckInEvidence(string sessionId, DateTimeOffset startedAt)
    {
        SessionId = sessionId;
        StartedAt = startedAt;
    }

    public string SessionId { get; }

    public DateTimeOffset StartedAt { get; }

    public IdCardData? Card { get; private set; }

    public RosterEntry? Person { get; private set; }

    public JsonArray Steps { get; } = [];

    public JsonObject Facts { get; } = [];

    public int FaceFailures { get; set; }

    /// <summary>Face attempts that failed on liveness under a policy that blocks (counted within <see cref="FaceFailures"/>).</summary>
    public int LivenessFailures { get; set; }

    /// <summary>For tests: the buffers this evidence owns (all zero after <see cref="Wipe"/>).</summary>
    internal IReadOnlyList<byte[]> Buffers => _buffers;

    public bool HoldsPersonalData => Card is not null || Person is not null || _attachments.Count > 0 || Facts.Count > 0;

    public void Identify(IdCardData card, RosterEntry person)
    {
        Card = card;
        Person = person;
        Attach("idcard-photo", "application/octet-stream", card.Photo, biometric: true);
    }

    public void Attach(string attachmentId, string contentType, ReadOnlyMemory<byte> data, bool biometric)
    {
        var copy = data.ToArray();
        _buffers.Add(copy);
        _attachments.Add(NewAttachment.FromBytes(attachmentId, contentType, copy, biometric));
    }

    public void StepDone(CheckInStep step, DateTimeOffset at, JsonObject? detail = null)
    {
        var entry = new JsonObject { ["step"] = step.WireName(), ["completedAt"] = OutboxTime.Format(at) };
        if (detail is not null)
        {
            entry["detail"] = detail;
        }

        Steps.Add(entry);
    }

    public NewRecord ToCheckInRecord(string siteId, string kioskId, string level, IReadOnlyList<CheckInStep> policy, DateTimeOffset finishedAt)
    {
        var card = Card ?? throw new InvalidOperationException("a check-in needs an identified person");
        var body = new JsonObject
        {
            ["sessionId"] = SessionId,
            ["siteId"] = siteId,
            ["kioskId"] = kioskId,
            ["person"] = new JsonObject
            {
                ["personId"] = Person!.PersonId,
                ["idNumber"] = card.IdNumber,
                ["name"] = card.Name,
                ["sexCode"] = card.SexCode,
                ["ethnicityCode"] = card.EthnicityCode,
                ["birthDate"] = card.BirthDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            },
            ["supervisionLevel"] = level,
            ["policy"] = new JsonArray([.. policy.Select(s => JsonValue.Create(s.WireName()))]),
            ["startedAt"] = OutboxTime.Format(StartedAt),
            ["finishedAt"] = OutboxTime.Format(finishedAt),
            ["steps"] = Steps.DeepClone(),
            ["facts"] = Facts.DeepClone(),
        };
        return new NewRecord(RecordKind.CheckIn, body) { Attachments = [.. _attachments] };
    }

    public static JsonObject SignatureChannels(SignatureCapture signature) => new()
    {
        ["format"] = "ISO/IEC 19794-7 channels",
        ["width"] = signature.Width,
        ["height"] = signature.Height,
        ["maxPressure"] = signature.MaxPressure,
        ["unitsPerMillimetre"] = signature.UnitsPerMillimetre,
        ["x"] = new JsonArray([.. signature.Samples.Select(s => JsonValue.Create(s.X))]),
        ["y"] = new JsonArray([.. signature.Samples.Select(s => JsonValue.Create(s.Y))]),
        ["t"] = new JsonArray([.. signature.Samples.Select(s => JsonValue.Create(s.T))]),
        ["pressure"] = new JsonArray([.. signature.Samples.Select(s => JsonValue.Create(s.Pressure))]),
        ["penDown"] = new JsonArray([.. signature.Samples.Select(s => JsonValue.Create(s.PenDown))]),
    };

    public static byte[] ToJsonBytes(JsonObject value) => JsonSerializer.SerializeToUtf8Bytes(value);

    /// <summary>Zeroes every captured byte and forgets the person.</summary>
    public void Wipe()
    {
        foreach (var buffer in _buffers)
        {
            CryptographicOperations.ZeroMemory(buffer);
        }

        _buffers.Clear();
        _attachments.Clear();
        Steps.Clear();
        Facts.Clear();
        Card = null;
        Person = null;
    }
}
