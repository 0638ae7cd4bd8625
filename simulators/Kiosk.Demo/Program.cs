using Kiosk.Demo;

DemoArguments arguments;
try
{
    arguments = DemoArguments.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"demo: {ex.Message}");
    Console.Error.WriteLine(DemoArguments.Usage);
    return 2;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

// SIGTERM (kill, systemctl stop, a closing terminal) stops the demo the way Ctrl+C does: the agent shuts down
// cleanly and removes its local-api.url, instead of the runtime ending the process mid-run.
using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});
Console.Out.Flush();
var output = TextWriter.Synchronized(Console.Out);
return await new DemoRun(arguments, output).RunAsync(stop.Token).ConfigureAwait(false);
