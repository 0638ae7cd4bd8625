using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace Kiosk.Devices.DocumentImaging;

/// <summary>
/// The eSCL documents this driver reads and writes (Mopria Alliance, "eSCL Technical Specification" v2.6):
/// scan:ScannerStatus (section 8.4, GET /ScannerStatus) and scan:ScanSettings (section 8.5, POST /ScanJobs).
/// </summary>
internal static class EsclXml
{
    public static readonly XNamespace Scan = "http://schemas.hp.com/imaging/escl/2011/05/03";
    public static readonly XNamespace Pwg = "http://www.pwg.org/schemas/2010/12/sm";

    /// <summary>A ScannerStatus is a few hundred characters; a megabyte is far beyond any real one.</summary>
    public const int MaxDocumentCharacters = 1024 * 1024;

    /// <summary>
    /// scan:ScanSettings for a document-intent feeder scan. pwg:ScanRegions is omitted: the scanner then scans the
    /// whole sheet it detects. scan:DocumentFormatExt (eSCL 2.1+) repeats pwg:DocumentFormat for newer scanners.
    /// </summary>
    public static string ScanSettings(bool duplex, int dpi, string format)
    {
        var resolution = dpi.ToString(CultureInfo.InvariantCulture);
        var document = new XDocument(
            new XDeclaration("1.0", "UTF-8", null),
            new XElement(
                Scan + "ScanSettings",
                new XAttribute(XNamespace.Xmlns + "scan", Scan),
                new XAttribute(XNamespace.Xmlns + "pwg", Pwg),
                new XElement(Pwg + "Version", "2.6"),
                new XElement(Scan + "Intent", "Document"),
                new XElement(Pwg + "InputSource", "Feeder"),
                new XElement(Scan + "Duplex", duplex ? "true" : "false"),
                new XElement(Scan + "XResolution", resolution),
                new XElement(Scan + "YResolution", resolution),
                new XElement(Pwg + "DocumentFormat", format),
                new XElement(Scan + "DocumentFormatExt", format)));
        return document.Declaration + "\n" + document.Root!.ToString(SaveOptions.DisableFormatting);
    }

    /// <summary>pwg:State (Idle, Processing, Testing, Stopped, Down) and scan:AdfState (e.g. ScannerAdfLoaded, ScannerAdfEmpty, ScannerAdfJam).</summary>
    /// <exception cref="InvalidDataException">Not a scan:ScannerStatus document (including any document with a DTD).</exception>
    public static ScannerState Status(string xml)
    {
        XDocument document;
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), ReaderSettings());
            document = XDocument.Load(reader);
        }
        catch (XmlException ex)
        {
            throw new InvalidDataException("ScannerStatus is not XML: " + ex.Message, ex);
        }

        if (document.Root?.Name != Scan + "ScannerStatus")
        {
            throw new InvalidDataException($"expected scan:ScannerStatus, got {document.Root?.Name}");
        }

        var state = document.Root.Element(Pwg + "State")?.Value.Trim() ?? "";
        var adf = document.Root.Element(Scan + "AdfState")?.Value.Trim() ?? "";
        return new ScannerState(state, adf);
    }

    /// <summary>
    /// What an answer from the network may use: no DTD at all (eSCL documents have none; a DTD is how entity expansion,
    /// the "billion laughs", and external entities get in), no resolver, and a bound on the characters of the document.
    /// </summary>
    private static XmlReaderSettings ReaderSettings() => new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersInDocument = MaxDocumentCharacters,
        IgnoreWhitespace = true,
    };
}

/// <summary>What GET /ScannerStatus said: the scanner's pwg:State and its feeder's scan:AdfState ("" when absent).</summary>
internal sealed record ScannerState(string State, string Adf)
{
    public bool Jammed => Adf is "ScannerAdfJam" or "ScannerAdfMispick" or "ScannerAdfMultipickDetected";

    public bool FeederEmpty => Adf == "ScannerAdfEmpty";

    /// <summary>Stopped or Down: the scanner needs attention (cover open, hardware fault).</summary>
    public bool Stopped => State is "Stopped" or "Down";

    public override string ToString() => $"State={State}, AdfState={Adf}";
}
