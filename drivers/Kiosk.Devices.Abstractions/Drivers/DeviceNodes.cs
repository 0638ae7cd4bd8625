using System.Globalization;

namespace Kiosk.Devices.Drivers;

/// <summary>How driver settings name device nodes, turned into the nodes themselves.</summary>
public static class DeviceNodes
{
    /// <summary>A V4L2 camera source: an index N is <c>/dev/videoN</c>, a <c>/dev/</c> path is itself, anything else (a URL, a file) opens no node.</summary>
    public static IReadOnlyList<string> OfCameraSource(string? source) =>
        source is null ? []
        : int.TryParse(source, NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? [$"/dev/video{index}"]
        : source.StartsWith("/dev/", StringComparison.Ordinal) ? [source]
        : [];

    /// <summary>An absolute path as given (a serial port, an input device, or a link to one such as /dev/serial/by-id/...), nothing otherwise.</summary>
    public static IReadOnlyList<string> OfPath(string? path) =>
        path is not null && path.StartsWith('/') ? [path] : [];

    /// <summary>The problems of an options check that throws <see cref="ArgumentException"/> with all of them in one message.</summary>
    public static IEnumerable<string> ProblemsOf(Action validate)
    {
        ArgumentNullException.ThrowIfNull(validate);
        string? problem = null;
        try
        {
            validate();
        }
        catch (ArgumentException ex)
        {
            problem = ex.Message;
        }

        return problem is null ? [] : [problem];
    }
}
