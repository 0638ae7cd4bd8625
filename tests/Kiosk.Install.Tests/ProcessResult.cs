namespace Kiosk.Install.Tests;

/// <summary>The exit code and output of a process a test ran.</summary>
public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Standard output followed by standard error.</summary>
    public string Output => StandardOutput + StandardError;

    /// <summary>Standard output, line by line.</summary>
    public IReadOnlyList<string> Lines => StandardOutput.Split('\n').Select(line => line.TrimEnd('\r')).ToList();

    /// <summary>The last non-empty line of standard output (install.ps1's one-line summary).</summary>
    public string LastLine => Lines.LastOrDefault(line => line.Length > 0) ?? string.Empty;

    /// <summary>Everything, for assertion messages.</summary>
    public override string ToString() => $"exit code {ExitCode}\n--- stdout\n{StandardOutput}\n--- stderr\n{StandardError}";
}
