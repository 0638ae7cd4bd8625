namespace Kiosk.Ctl.Queue;

/// <summary>What one <c>kioskctl queue export</c> wrote, for its report.</summary>
internal sealed class ExportSummary(string directory)
{
    public string Directory { get; } = directory;

    public int Records { get; set; }

    public int Attachments { get; set; }

    public int Sealed { get; set; }

    public long Bytes { get; set; }

    public List<string> Mismatches { get; } = [];
}
