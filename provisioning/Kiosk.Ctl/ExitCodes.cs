namespace Kiosk.Ctl;

/// <summary>What kioskctl's exit code means; scripts rely on these, so they never change meaning.</summary>
internal static class ExitCodes
{
    /// <summary>Done, and the result is good (a usable face, a page found).</summary>
    public const int Ok = 0;

    /// <summary>Done, but the result fails its checks (no face, two faces, blurred page, a degraded agent in <c>status</c>...): the reasons are printed.</summary>
    public const int CheckFailed = 1;

    /// <summary>The command line is wrong: a missing or bad argument.</summary>
    public const int Usage = 2;

    /// <summary>A file or device could not be read or written, or the running agent could not be reached (<c>status</c>, <c>queue retry</c>: not running).</summary>
    public const int IoError = 3;

    public const string Help = """
        Exit codes: 0 ok; 1 the check failed or the agent is degraded (reasons printed); 2 bad command line; 3 a file or device could not be used, or the agent is not running.
        """;
}
