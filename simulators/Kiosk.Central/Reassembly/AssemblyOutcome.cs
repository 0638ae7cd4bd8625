namespace Kiosk.Central.Reassembly;

/// <summary>What one record or chunk changed: possibly a record ready to store, hash failures, and malformed input.</summary>
internal sealed class AssemblyOutcome
{
    public CompletedRecord? Completed { get; set; }

    public List<AttachmentFailure> HashFailures { get; } = [];

    public List<string> MalformedProblems { get; } = [];
}
