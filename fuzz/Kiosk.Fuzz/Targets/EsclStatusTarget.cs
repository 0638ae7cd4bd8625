using System.Text;
using Kiosk.Devices.DocumentImaging;
using Kiosk.Fuzz.Harness;

namespace Kiosk.Fuzz.Targets;

/// <summary>An eSCL scanner's answer to GET /ScannerStatus. Contract: a state, or InvalidDataException for anything that is not a status document.</summary>
internal sealed class EsclStatusTarget : IFuzzTarget
{
    public string Name => "escl-status";

    public string Covers => "drivers/Kiosk.Devices.DocumentImaging/DocumentScanner/EsclXml.cs EsclXml.Status";

    public void Run(byte[] input)
    {
        try
        {
            _ = EsclXml.Status(Encoding.UTF8.GetString(input));
        }
        catch (InvalidDataException)
        {
        }
    }
}
