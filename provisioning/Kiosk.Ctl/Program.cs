using System.CommandLine;
using Kiosk.Ctl;
using Kiosk.Ctl.Capture;
using Kiosk.Ctl.Config;
using Kiosk.Ctl.Diagnose;
using Kiosk.Ctl.Enrollment;
using Kiosk.Ctl.Probe;
using Kiosk.Ctl.Queue;
using Kiosk.Ctl.Status;

var root = new RootCommand("kioskctl: the field technician's tool for a kiosk.\n" + ExitCodes.Help)
{
    new Command("capture", "Check a camera with a photograph or a live frame.")
    {
        FaceCaptureCommand.Create(),
        DocumentCaptureCommand.Create(),
    },
    DiagnoseCommand.Create(),
    ProbeCommand.Create(),
    ConfigCommand.Create(),
    InitCommand.Create(),
    EnrollCommand.Create(),
    StatusCommand.Create(),
    QueueCommand.Create(),
};

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0 && parsed.Action is not System.CommandLine.Help.HelpAction)
{
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine($"kioskctl: {error.Message}");
    }

    return ExitCodes.Usage;
}

return await parsed.InvokeAsync().ConfigureAwait(false);
