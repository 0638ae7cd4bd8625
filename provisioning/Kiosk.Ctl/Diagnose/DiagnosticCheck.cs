namespace Kiosk.Ctl.Diagnose;

/// <summary>One diagnostic result: what was checked, whether it is fine, what was found, and what to do about it.</summary>
internal sealed record DiagnosticCheck(string Name, bool Ok, string Detail, string? Fix = null);
