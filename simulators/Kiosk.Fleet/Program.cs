using System.Runtime.InteropServices;
using Kiosk.Fleet;
using Kiosk.Fleet.Running;

FleetOptions options;
try
{
    options = FleetArguments.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"kiosk-fleet: {ex.Message}");
    Console.Error.WriteLine(FleetArguments.Usage);
    return 2;
}

// Ctrl+C or a SIGTERM ends the run cleanly: the kiosks stop, the broker and the platform with them.
using var stop = new CancellationTokenSource();
void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}

using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

await using var run = new FleetRun(options, Console.Error);
try
{
    var report = await run.RunAsync(stop.Token);
    Console.Out.WriteLine(report.ToJsonLine());
    return report.Passed ? 0 : 1;
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    Console.Error.WriteLine($"kiosk-fleet: interrupted in phase {run.Phase}; the outboxes in the run folder keep what was not acknowledged");
    return 130;
}
catch (InvalidOperationException ex)
{
    Console.Error.WriteLine($"kiosk-fleet: {ex.Message}");
    return 1;
}
