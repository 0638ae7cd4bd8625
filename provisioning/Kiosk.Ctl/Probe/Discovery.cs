using System.Diagnostics;
using System.Globalization;
using System.IO.Ports;
using System.Text.RegularExpressions;

namespace Kiosk.Ctl.Probe;

/// <summary>A V4L2 video node: <c>/dev/videoN</c> with the driver's name for it (a camera often has a second, metadata node).</summary>
internal sealed record DiscoveredCamera(string Path, string Name, int? Index, string? ById);

/// <summary>A serial line: USB serial adapter, USB modem-class device, on-board UART, or a pseudo-terminal the configuration names.</summary>
internal sealed record DiscoveredSerialPort(string Path, string Kind, string Name, string? ById);

/// <summary>A GPIO character device with its label and number of lines when the kernel tells them.</summary>
internal sealed record DiscoveredGpioChip(string Path, string Label, int? Lines);

/// <summary>An ALSA PCM device; <see cref="Alsa"/> is what <c>Kiosk:Devices:Arecord:Device</c> or <c>Aplay:Device</c> take.</summary>
internal sealed record DiscoveredAudio(string Alsa, string Card, string Name, bool Playback, bool Capture);

/// <summary>A scanner SANE found; <see cref="Device"/> is what <c>Kiosk:Devices:Sane:DeviceName</c> takes.</summary>
internal sealed record DiscoveredScanner(string Device, string Description);

/// <summary>What is plugged into this machine, whatever the configuration says.</summary>
internal sealed record Discovered(
    IReadOnlyList<DiscoveredCamera> Cameras,
    IReadOnlyList<DiscoveredSerialPort> SerialPorts,
    IReadOnlyList<DiscoveredGpioChip> GpioChips,
    IReadOnlyList<DiscoveredAudio> Audio,
    IReadOnlyList<DiscoveredScanner> Scanners);

/// <summary>
/// Finds the kiosk's hardware the way a technician would with ls and cat: device nodes under /dev, their names
/// under /sys, ALSA's /proc/asound, and <c>scanimage -L</c>. Nothing here opens a device. <paramref name="root"/>
/// is "/" except in tests, which lay out a fake /dev, /sys and /proc.
/// </summary>
internal sealed partial class Discovery(string root = "/")
{
    private static readonly TimeSpan ScanimageBound = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ToolBound = TimeSpan.FromSeconds(5);

    /// <summary>What could not be looked at, and why (shown under the tables and in the JSON).</summary>
    public List<string> Notes { get; } = [];

    /// <summary>Everything at once; the scanner search (up to 10 s) runs while the rest is read.</summary>
    /// <param name="configuredSerialPorts">Serial paths the configuration names, with the key that names them (pseudo-terminals live outside /dev/tty*).</param>
    public async Task<Discovered> RunAsync(IReadOnlyList<(string Path, string Key)> configuredSerialPorts, string scanimage, CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux())
        {
            Notes.Add(OperatingSystem.IsWindows()
                ? "on Windows only serial ports are listed (what .NET sees); finding cameras, GPIO, audio and scanners is not supported yet: use Device Manager."
                : "finding devices is only supported on Linux; only serial ports are listed.");
            var ports = SerialPort.GetPortNames().Order(StringComparer.Ordinal).Select(p => new DiscoveredSerialPort(p, "serial", p, null)).ToList();
            return new Discovered([], ports, [], [], []);
        }

        var scanners = ScannersAsync(scanimage, cancellationToken);
        var cameras = Cameras();
        var serial = SerialPorts(configuredSerialPorts);
        var gpio = GpioChips();
        var audio = await AudioAsync(cancellationToken).ConfigureAwait(false);
        return new Discovered(cameras, serial, gpio, audio, await scanners.ConfigureAwait(false));
    }

    public List<DiscoveredCamera> Cameras()
    {
        var byId = Links("dev/v4l/by-id");
        return Nodes("video").Select(node =>
        {
            var sys = At($"sys/class/video4linux/{node.Name}");
            var name = Read(Path.Combine(sys, "name")) ?? "(no name in sysfs)";
            var index = int.TryParse(Read(Path.Combine(sys, "index")), CultureInfo.InvariantCulture, out var i) ? i : (int?)null;
            return new DiscoveredCamera(node.Path, name, index, byId.GetValueOrDefault(node.Name));
        }).ToList();
    }

    public List<DiscoveredSerialPort> SerialPorts(IReadOnlyList<(string Path, string Key)> configured)
    {
        var byId = Links("dev/serial/by-id");
        var ports = new List<DiscoveredSerialPort>();
        foreach (var (prefix, kind) in new[] { ("ttyUSB", "usb-serial"), ("ttyACM", "usb-acm"), ("ttyS", "uart") })
        {
            foreach (var node in Nodes(prefix))
            {
                var sys = Resolve(At($"sys/class/tty/{node.Name}")); // the real folder, so its relative links resolve
                if (kind == "uart" && !IsRealUart(sys))
                {
                    continue; // the kernel makes ttyS0-31 whether or not a UART is behind them
                }

                ports.Add(new DiscoveredSerialPort(node.Path, kind, UsbName(sys) ?? DriverName(sys) ?? kind, byId.GetValueOrDefault(node.Name)));
            }
        }

        foreach (var (path, key) in configured.DistinctBy(c => c.Path))
        {
            if (ports.Any(p => p.Path == path) || !File.Exists(path))
            {
                continue; // a missing configured port shows as a failed device row below
            }

            var target = Resolve(path);
            var kind = target.StartsWith("/dev/pts/", StringComparison.Ordinal) ? "pseudo-terminal" : "configured";
            ports.Add(new DiscoveredSerialPort(path, kind, target == path ? $"named in {key}" : $"{target}, named in {key}", null));
        }

        return ports;
    }

    public List<DiscoveredGpioChip> GpioChips()
    {
        // The legacy class (/sys/class/gpio/gpiochipBASE) carries label and ngpio; its "device" link names the chip.
        var legacy = new Dictionary<string, string>(StringComparer.Ordinal);
        var classFolder = At("sys/class/gpio");
        if (Directory.Exists(classFolder))
        {
            foreach (var chip in Directory.EnumerateDirectories(classFolder, "gpiochip*"))
            {
                var device = Path.Combine(chip, "device");
                var name = Directory.Exists(device) ? Path.GetFileName(Resolve(device)) : null;
                if (name is not null)
                {
                    legacy[name] = chip;
                }
            }
        }

        return Nodes("gpiochip").Select(node =>
        {
            var bus = At($"sys/bus/gpio/devices/{node.Name}");
            var label = Read(Path.Combine(bus, "label"));
            var lines = Read(Path.Combine(bus, "ngpio"));
            if (legacy.TryGetValue(node.Name, out var chip))
            {
                label ??= Read(Path.Combine(chip, "label"));
                lines ??= Read(Path.Combine(chip, "ngpio"));
            }

            return new DiscoveredGpioChip(node.Path, label ?? "(no label in sysfs)", int.TryParse(lines, CultureInfo.InvariantCulture, out var n) ? n : null);
        }).ToList();
    }

    public async Task<List<DiscoveredAudio>> AudioAsync(CancellationToken cancellationToken)
    {
        var pcm = Read(At("proc/asound/pcm"));
        if (pcm is not null)
        {
            var cards = new Dictionary<int, string>();
            foreach (Match card in CardLine().Matches(Read(At("proc/asound/cards")) ?? ""))
            {
                cards[int.Parse(card.Groups["card"].Value, CultureInfo.InvariantCulture)] = card.Groups["name"].Value.Trim();
            }

            return PcmLine().Matches(pcm).Select(m =>
            {
                var card = int.Parse(m.Groups["card"].Value, CultureInfo.InvariantCulture);
                var device = int.Parse(m.Groups["device"].Value, CultureInfo.InvariantCulture);
                return new DiscoveredAudio($"hw:{card},{device}", cards.GetValueOrDefault(card, $"card {card}"), m.Groups["name"].Value.Trim(),
                    m.Groups["rest"].Value.Contains("playback", StringComparison.Ordinal), m.Groups["rest"].Value.Contains("capture", StringComparison.Ordinal));
            }).ToList();
        }

        // No /proc/asound (a container without the host's sound): ALSA's own tools say the same when present.
        var capture = await RunToolAsync("arecord", ["-l"], ToolBound, cancellationToken).ConfigureAwait(false);
        var playback = await RunToolAsync("aplay", ["-l"], ToolBound, cancellationToken).ConfigureAwait(false);
        if (capture is null && playback is null)
        {
            Notes.Add("no /proc/asound and no arecord/aplay: ALSA is not available here (apt-get install alsa-utils on a kiosk).");
            return [];
        }

        var found = new Dictionary<string, DiscoveredAudio>(StringComparer.Ordinal);
        foreach (var (output, isCapture) in new[] { (capture, true), (playback, false) })
        {
            foreach (Match m in AlsaListLine().Matches(output ?? ""))
            {
                var alsa = $"hw:{m.Groups["card"].Value},{m.Groups["device"].Value}";
                var known = found.GetValueOrDefault(alsa) ?? new DiscoveredAudio(alsa, m.Groups["cardName"].Value, m.Groups["name"].Value, false, false);
                found[alsa] = isCapture ? known with { Capture = true } : known with { Playback = true };
            }
        }

        return [.. found.Values.OrderBy(a => a.Alsa, StringComparer.Ordinal)];
    }

    public async Task<List<DiscoveredScanner>> ScannersAsync(string scanimage, CancellationToken cancellationToken)
    {
        var output = await RunToolAsync(scanimage, ["-L"], ScanimageBound, cancellationToken).ConfigureAwait(false);
        if (output is null)
        {
            Notes.Add($"'{scanimage} -L' could not run (or took over {ScanimageBound.TotalSeconds:0} s): SANE scanners are not listed; apt-get install sane-utils. eSCL scanners configured by URL are checked in the device table.");
            return [];
        }

        return ScannerLine().Matches(output).Select(m => new DiscoveredScanner(m.Groups["device"].Value, m.Groups["description"].Value.Trim())).ToList();
    }

    /// <summary>Runs a tool with a bound; null when it is missing or does not finish in time (then it is killed).</summary>
    private static async Task<string?> RunToolAsync(string tool, string[] arguments, TimeSpan bound, CancellationToken cancellationToken)
    {
        Process? process;
        try
        {
            process = Process.Start(new ProcessStartInfo(tool, arguments)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // not installed
        }

        if (process is null)
        {
            return null;
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(bound);
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // it ended on its own meanwhile
                }

                cancellationToken.ThrowIfCancellationRequested();
                return null;
            }

            _ = await stderr.ConfigureAwait(false);
            return await stdout.ConfigureAwait(false);
        }
    }

    /// <summary>/dev nodes named prefix + number, in number order (ttyS2 before ttyS10).</summary>
    private IEnumerable<(string Name, string Path)> Nodes(string prefix)
    {
        var dev = At("dev");
        if (!Directory.Exists(dev))
        {
            return [];
        }

        return Directory.EnumerateFileSystemEntries(dev, prefix + "*")
            .Select(path => (Name: Path.GetFileName(path), Path: "/dev/" + Path.GetFileName(path)))
            .Where(n => n.Name.Length > prefix.Length && n.Name[prefix.Length..].All(char.IsAsciiDigit))
            .OrderBy(n => long.Parse(n.Name[prefix.Length..], CultureInfo.InvariantCulture));
    }

    /// <summary>A ttyS with a driver and a UART type other than 0 (PORT_UNKNOWN, "no UART here").</summary>
    private static bool IsRealUart(string sys) =>
        Directory.Exists(Path.Combine(sys, "device", "driver")) && Read(Path.Combine(sys, "type")) is not "0";

    /// <summary>Manufacturer and product of the USB device above a tty (ttyUSB: two levels up, ttyACM: one).</summary>
    private static string? UsbName(string sys)
    {
        var device = Path.Combine(sys, "device");
        if (!Directory.Exists(device))
        {
            return null;
        }

        for (var folder = new DirectoryInfo(Resolve(device)); folder is not null && folder.FullName.Length > 1; folder = folder.Parent)
        {
            if (Read(Path.Combine(folder.FullName, "product")) is { } product)
            {
                return Read(Path.Combine(folder.FullName, "manufacturer")) is { } maker ? $"{maker} {product}" : product;
            }

            if (folder.Name.StartsWith("usb", StringComparison.Ordinal) || folder.Name == "devices")
            {
                break;
            }
        }

        return null;
    }

    private static string? DriverName(string sys)
    {
        var driver = Path.Combine(sys, "device", "driver");
        var name = Directory.Exists(driver) ? Path.GetFileName(Resolve(driver)) : null;
        return Read(Path.Combine(sys, "type")) switch
        {
            null => name,
            var type => $"{UartTypes.GetValueOrDefault(type, "type " + type)}{(name is null ? "" : $", driver {name}")}",
        };
    }

    /// <summary>The UART types of linux/serial_core.h that PCs and boards carry.</summary>
    private static readonly Dictionary<string, string> UartTypes = new(StringComparer.Ordinal)
    {
        ["1"] = "8250", ["2"] = "16450", ["3"] = "16550", ["4"] = "16550A", ["6"] = "16650", ["7"] = "16650V2", ["8"] = "16750", ["14"] = "XScale", ["19"] = "8250 (OMAP)",
    };

    /// <summary>by-id symlinks (stable names worth putting in the configuration), keyed by the node they point at.</summary>
    private Dictionary<string, string> Links(string folder)
    {
        var links = new Dictionary<string, string>(StringComparer.Ordinal);
        var path = At(folder);
        if (!Directory.Exists(path))
        {
            return links;
        }

        foreach (var link in Directory.EnumerateFileSystemEntries(path).Order(StringComparer.Ordinal))
        {
            var target = new FileInfo(link).LinkTarget;
            if (target is not null)
            {
                links.TryAdd(Path.GetFileName(target), "/" + folder + "/" + Path.GetFileName(link));
            }
        }

        return links;
    }

    private string At(string relative) => Path.Combine(root, relative);

    private static string Resolve(string path)
    {
        try
        {
            var info = new FileInfo(path);
            return info.LinkTarget is null ? path : info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;
        }
        catch (IOException)
        {
            return path;
        }
    }

    private static string? Read(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>/proc/asound/cards: " 0 [PCH            ]: HDA-Intel - HDA Intel PCH".</summary>
    [GeneratedRegex(@"^[ \t]*(?<card>\d+)[ \t]+\[[^\]\n]*\]:[ \t]*\S+[ \t]+-[ \t]+(?<name>[^\n]+)$", RegexOptions.Multiline)]
    private static partial Regex CardLine();

    /// <summary>/proc/asound/pcm: "00-00: ALC892 Analog : ALC892 Analog : playback 1 : capture 1".</summary>
    [GeneratedRegex(@"^(?<card>\d+)-(?<device>\d+):\s*[^:\n]*:\s*(?<name>[^:\n]*)(?<rest>[^\n]*)$", RegexOptions.Multiline)]
    private static partial Regex PcmLine();

    /// <summary>arecord -l / aplay -l: "card 0: PCH [HDA Intel PCH], device 0: ALC892 Analog [ALC892 Analog]".</summary>
    [GeneratedRegex(@"^card (?<card>\d+): [^\[\n]*\[(?<cardName>[^\]\n]*)\], device (?<device>\d+): [^\[\n]*\[(?<name>[^\]\n]*)\]", RegexOptions.Multiline)]
    private static partial Regex AlsaListLine();

    /// <summary>scanimage -L: "device `epson2:libusb:001:005' is a Epson PID 0x084a flatbed scanner".</summary>
    [GeneratedRegex(@"^device `(?<device>[^']+)' is an? (?<description>[^\n]+)$", RegexOptions.Multiline)]
    private static partial Regex ScannerLine();
}
