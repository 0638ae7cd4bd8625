using System.Text;
using Kiosk.Devices;
using OpenCvSharp;

namespace Kiosk.Fuzz.Seeds;

/// <summary>Seeds for the scanners: eSCL ScannerStatus documents (eSCL 2.6 section 8.4) and small PNG and JPEG pages made here.</summary>
internal static class ImagingSeeds
{
    public static IEnumerable<(string Target, string Name, byte[] Bytes)> All()
    {
        yield return ("escl-status", "idle-loaded.xml", Status("Idle", "ScannerAdfLoaded"));
        yield return ("escl-status", "stopped-jam.xml", Status("Stopped", "ScannerAdfJam"));
        yield return ("escl-status", "not-a-status.xml", Encoding.UTF8.GetBytes("""<?xml version="1.0"?><scan:ScannerCapabilities xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03"/>"""));

        var pixels = Enumerable.Range(0, 16 * 12).Select(i => (byte)(i * 5)).ToArray();
        yield return ("scanned-file", "grey-16x12.png", GrayscalePng.Encode(pixels, 16, 12));
        using var page = new Mat(12, 16, MatType.CV_8UC3, new Scalar(200, 120, 40));
        yield return ("scanned-file", "colour-16x12.jpg", page.ImEncode(".jpg"));
        yield return ("scanned-file", "colour-16x12.png", page.ImEncode(".png"));

        // escl-scan: answers in the order EsclScanner asks (open: status; scan: status, POST ScanJobs, NextDocument...).
        var idle = Status("Idle", "ScannerAdfLoaded");
        var png = GrayscalePng.Encode(pixels, 16, 12);
        yield return ("escl-scan", "two-sides.bin", Answers(("200", idle), ("200", idle), ("201 /eSCL/ScanJobs/7", []), ("200", png), ("200", png), ("404", [])));
        yield return ("escl-scan", "busy-then-jam.bin", Answers(("200", idle), ("200", idle), ("201 http://scanner.local/eSCL/ScanJobs/8", []), ("503", []), ("200", png), ("409", []), ("200", Status("Idle", "ScannerAdfJam"))));
        yield return ("escl-scan", "redirect-on-host-then-empty.bin", Answers(("200", idle), ("302 https://scanner.local/eSCL/ScannerStatus", []), ("200", Status("Idle", "ScannerAdfEmpty"))));
    }

    /// <summary>HTTP answers as fuzz/Kiosk.Fuzz/Harness/ScannerAnswers.cs reads them: "STATUS [LOCATION]", newline, body; "--" lines between.</summary>
    private static byte[] Answers(params (string Head, byte[] Body)[] answers) =>
        [.. answers.SelectMany((a, i) => (i == 0 ? [] : "\n--\n"u8.ToArray()).Concat(Encoding.ASCII.GetBytes(a.Head + "\n")).Concat(a.Body))];

    private static byte[] Status(string state, string adf) => Encoding.UTF8.GetBytes($"""
        <?xml version="1.0" encoding="UTF-8"?>
        <scan:ScannerStatus xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03" xmlns:pwg="http://www.pwg.org/schemas/2010/12/sm">
          <pwg:Version>2.6</pwg:Version>
          <pwg:State>{state}</pwg:State>
          <scan:AdfState>{adf}</scan:AdfState>
        </scan:ScannerStatus>
        """);
}
