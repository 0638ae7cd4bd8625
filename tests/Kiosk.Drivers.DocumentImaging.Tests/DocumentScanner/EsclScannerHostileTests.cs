using System.Buffers.Binary;
using System.Text;
using Kiosk.Devices;
using Kiosk.Devices.DocumentImaging;
using OpenCvSharp;

namespace Kiosk.Drivers.DocumentImaging.Tests.DocumentScanner;

/// <summary>
/// <see cref="EsclScanner"/> against answers a scanner should never send (broken firmware, or another machine on the
/// office network answering in its place): each ends as a completion code with a clear reason, and nothing is fetched
/// from, or sent to, a host other than the scanner's.
/// </summary>
public sealed partial class EsclScannerTests
{
    [Test]
    public async Task A_document_body_that_never_ends_is_invalid_data_once_it_passes_the_size_limit()
    {
        var (result, _) = await ScanAsync(new ScanRequest(), new EsclScannerOptions { MaxDocumentBytes = 1024 * 1024 }, () => _server.NextDocumentEndless = true);

        Assert.That(result.Code, Is.EqualTo(CompletionCode.InvalidData), result.ToString());
        Assert.That(result.Description, Does.Contain("larger than 1048576 bytes"));
    }

    [Test]
    public async Task A_status_redirected_to_another_host_is_refused_and_that_host_is_never_asked()
    {
        using var elsewhere = new FakeEsclScanner("127.0.0.2");
        var (result, _) = await ScanAsync(new ScanRequest(), arrange: () => _server.NextStatusRedirect = $"http://127.0.0.2:{elsewhere.Port}/eSCL/ScannerStatus");

        Assert.That(result.Code, Is.EqualTo(CompletionCode.HardwareError), result.ToString());
        Assert.That(result.DeviceError, Is.EqualTo("redirect refused"));
        Assert.That(elsewhere.Requests, Is.Empty);
    }

    [Test]
    public async Task A_job_placed_on_another_host_is_refused_and_that_host_is_never_asked()
    {
        using var elsewhere = new FakeEsclScanner("127.0.0.2");
        var (result, _) = await ScanAsync(new ScanRequest(), arrange: () => _server.NextJobLocation = $"http://127.0.0.2:{elsewhere.Port}/eSCL/ScanJobs/1");

        Assert.That(result.Code, Is.EqualTo(CompletionCode.HardwareError), result.ToString());
        Assert.That(result.Description, Does.Contain("not on its own host"));
        Assert.That(elsewhere.Requests, Is.Empty);
    }

    [Test]
    public async Task A_redirect_to_something_that_is_not_an_address_is_refused()
    {
        var (result, _) = await ScanAsync(new ScanRequest(), arrange: () => _server.NextStatusRedirect = "https:I/scanner.local/eSCL");

        Assert.That(result.Code, Is.EqualTo(CompletionCode.HardwareError), result.ToString());
        Assert.That(result.DeviceError, Is.EqualTo("redirect refused"), "found by fuzz/ target escl-scan: the address threw out of the driver");
    }

    [Test]
    public async Task A_job_location_that_is_not_an_address_is_a_hardware_error_saying_so()
    {
        var (result, _) = await ScanAsync(new ScanRequest(), arrange: () => _server.NextJobLocation = "https:X/eSCL/ScanJobs/1");

        Assert.That(result.Code, Is.EqualTo(CompletionCode.HardwareError), result.ToString());
        Assert.That(result.Description, Does.Contain("not an address"));
    }

    [Test]
    public void A_png_whose_chunk_announces_more_than_the_file_holds_is_refused_before_decoding()
    {
        var png = GrayscalePng.Encode(new byte[16 * 12], 16, 12);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(33), 2_908_356_663); // the IDAT after the 25-byte IHDR chunk claims 2.9 GB

        var (image, problem) = ScannedFiles.Decode(png, 200, ScanLimits.Default);

        Assert.That(image, Is.Null);
        Assert.That(problem, Does.Contain("chunk announces more bytes than the file holds"), "found by fuzz/ target scanned-file: OpenCV spent 15 s and gigabytes on 112 bytes");
    }

    [Test]
    public async Task A_status_with_the_billion_laughs_dtd_is_invalid_data_without_expanding_it()
    {
        var (result, _) = await ScanAsync(new ScanRequest(), arrange: () => _server.NextStatusBody = Status("&lol9;", BillionLaughs));

        Assert.That(result.Code, Is.EqualTo(CompletionCode.InvalidData), result.ToString());
        Assert.That(result.DeviceError, Does.Contain("DTD"));
        Assert.That(_server.Requests, Has.None.StartsWith("POST"), "no job after a refused status");
    }

    [Test]
    public async Task A_status_whose_state_comes_from_a_dtd_entity_is_refused()
    {
        var (result, _) = await ScanAsync(new ScanRequest(), arrange: () => _server.NextStatusBody = Status("&idle;", """<!DOCTYPE scan:ScannerStatus [<!ENTITY idle "Idle">]>"""));

        Assert.That(result.Code, Is.EqualTo(CompletionCode.InvalidData), result.ToString());
        Assert.That(result.DeviceError, Does.Contain("DTD"));
    }

    [Test]
    public async Task A_png_that_announces_more_pixels_than_allowed_is_refused_before_decoding()
    {
        var (result, _) = await ScanAsync(new ScanRequest(), arrange: () => _server.NextDocumentBody = PngAnnouncing(20000, 20000));

        Assert.That(result.Code, Is.EqualTo(CompletionCode.InvalidData), result.ToString());
        Assert.That(result.Description, Does.Contain("20000 x 20000 pixels"));
    }

    [Test]
    public async Task A_jpeg_that_announces_more_pixels_than_allowed_is_refused_before_decoding()
    {
        var options = new EsclScannerOptions { Format = "image/jpeg", MaxImagePixels = 4_000_000 };
        var (result, _) = await ScanAsync(new ScanRequest(), options, () => _server.NextDocumentBody = JpegAnnouncing(3000, 2000));

        Assert.That(result.Code, Is.EqualTo(CompletionCode.InvalidData), result.ToString());
        Assert.That(result.Description, Does.Contain("3000 x 2000 pixels"));
    }

    [Test]
    public void The_header_size_of_real_png_and_jpeg_files_is_read_without_decoding()
    {
        using var page = new Mat(37, 53, MatType.CV_8UC3, new Scalar(10, 200, 30));
        Assert.That(ImageHeader.TryReadSize(page.ImEncode(".png"), out var pngType, out var pngWidth, out var pngHeight), Is.True);
        Assert.That((pngType, pngWidth, pngHeight), Is.EqualTo(("image/png", 53, 37)));
        Assert.That(ImageHeader.TryReadSize(page.ImEncode(".jpg"), out var jpegType, out var jpegWidth, out var jpegHeight), Is.True);
        Assert.That((jpegType, jpegWidth, jpegHeight), Is.EqualTo(("image/jpeg", 53, 37)));
        Assert.That(ImageHeader.TryReadSize("GIF89a"u8, out _, out _, out _), Is.False);
    }

    [Test]
    public void Size_limits_outside_their_range_are_refused_naming_the_key()
    {
        var tooSmall = new EsclScannerOptions { BaseUri = _server.BaseUri, MaxDocumentBytes = 1000 };
        var tooLarge = new EsclScannerOptions { BaseUri = _server.BaseUri, MaxImagePixels = 5_000_000_000 };

        Assert.That(() => new EsclScanner("s", tooSmall, _time), Throws.ArgumentException.With.Message.Contains("MaxDocumentBytes 1000"));
        Assert.That(() => new EsclScanner("s", tooLarge, _time), Throws.ArgumentException.With.Message.Contains("MaxImagePixels 5000000000"));
    }

    /// <summary>Ten entities, each ten times the one before: 10^9 "lol"s from a few hundred bytes, if a parser expands them.</summary>
    private const string BillionLaughs = """
        <!DOCTYPE lolz [
          <!ENTITY lol "lol">
          <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
          <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
          <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
          <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
          <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
          <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
          <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
          <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
          <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
        ]>
        """;

    private static byte[] Status(string state, string doctype) => Encoding.UTF8.GetBytes($"""
        <?xml version="1.0" encoding="UTF-8"?>
        {doctype}
        <scan:ScannerStatus xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03" xmlns:pwg="http://www.pwg.org/schemas/2010/12/sm">
          <pwg:State>{state}</pwg:State>
          <scan:AdfState>ScannerAdfLoaded</scan:AdfState>
        </scan:ScannerStatus>
        """);

    /// <summary>A real 4 x 4 PNG whose IHDR (ISO/IEC 15948 11.2.2) is rewritten, with its CRC, to announce another size.</summary>
    private static byte[] PngAnnouncing(int width, int height)
    {
        var png = GrayscalePng.Encode(new byte[16], 4, 4);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), width);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), height);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(29), GrayscalePng.Crc32(png.AsSpan(12, 17)) ^ 0xFFFFFFFF);
        return png;
    }

    /// <summary>A real 8 x 8 baseline JPEG whose SOF0 frame header (ITU T.81 B.2.2) is rewritten to announce another size.</summary>
    private static byte[] JpegAnnouncing(int width, int height)
    {
        using var tile = new Mat(8, 8, MatType.CV_8UC3, new Scalar(128, 128, 128));
        var jpeg = tile.ImEncode(".jpg");
        var sof = jpeg.AsSpan().IndexOf((ReadOnlySpan<byte>)[0xFF, 0xC0]);
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 5), (ushort)height);
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 7), (ushort)width);
        return jpeg;
    }
}
