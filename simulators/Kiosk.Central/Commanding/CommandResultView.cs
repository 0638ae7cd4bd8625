using System.Text.Json.Nodes;

namespace Kiosk.Central.Commanding;

/// <summary>A kiosk's <c>commandResult</c> record as the platform received it.</summary>
/// <param name="Status">done, refused or failed.</param>
/// <param name="Detail">The command's own detail object, or null.</param>
/// <param name="RecordId">The result record (its attachments, a log bundle say, are stored with it).</param>
public sealed record CommandResultView(string SiteId, string KioskId, string CommandId, string Command, string Status, string Message, JsonObject? Detail, string RecordId);
