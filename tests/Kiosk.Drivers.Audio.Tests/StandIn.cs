using Kiosk.TestSupport;

namespace Kiosk.Drivers.Audio.Tests;

/// <summary>
/// A shell stand-in for arecord or aplay: <c>sh -c script faultFile ...</c> runs a one-shot fault (a line of shell
/// written to the fault file, deleted as it runs) and otherwise the normal command. Real processes, real pipes:
/// only the sound card is missing.
/// </summary>
internal sealed class StandIn : IDisposable
{
    private readonly TempFolder _folder = new("kiosk-audio");

    public string Folder => _folder.Path;

    public string FaultFile => _folder.File("fault.sh");

    public string File(string name) => _folder.File(name);

    /// <summary>Arguments for <c>sh</c>: run the pending fault if any, then <paramref name="normal"/>.</summary>
    public IReadOnlyList<string> Arguments(string normal, params string[] positional) =>
        ["-c", $"if [ -s \"$0\" ]; then f=$(cat \"$0\"); rm -f \"$0\"; eval \"$f\"; fi; {normal}", FaultFile, .. positional];

    /// <summary>The next run of the stand-in runs <paramref name="shell"/> first (end it with exit or exec to replace the normal run).</summary>
    public bool Next(string shell)
    {
        System.IO.File.WriteAllText(FaultFile, shell);
        return true;
    }

    /// <summary>
    /// Completes once a run of the stand-in has taken the pending fault (the script deletes the fault file before it runs
    /// it). A test that kills a faulting run must wait for this first: a run killed before it took the fault leaves the
    /// fault for the next run, which then hangs or fails in its place.
    /// </summary>
    public async Task WaitFaultTakenAsync()
    {
        using var bound = new CancellationTokenSource(RealIo.Bound);
        while (System.IO.File.Exists(FaultFile))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), bound.Token);
        }
    }

    public void Dispose() => _folder.Dispose();
}
