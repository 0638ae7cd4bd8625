using Kiosk.Devices;
using Kiosk.Devices.DocumentImaging;
using Kiosk.Devices.Tests.Contracts;
using Kiosk.TestSupport;

namespace Kiosk.Drivers.DocumentImaging.Tests.DocumentScanner;

/// <summary>
/// The scanner contract on <see cref="SaneScanner"/> with SANE's own "test" backend (sane-test(5)) in a private
/// SANE_CONFIG_DIR. The stand-in is a wrapper around the real scanimage that appends one-shot test-backend options
/// (a file the Arrange hooks write): --read-return-value SANE_STATUS_JAMMED / NO_DOCS / IO_ERROR, --read-delay,
/// --format=pnm (bytes that are not the PNG asked for), --device-name=test:9 (no such device).
/// The test backend's feeder holds 10 sides; --batch-count sets how many sheets are in it.
/// </summary>
public sealed class SaneScannerContractTests : DocumentScannerContract<SaneScanner>
{
    private TempFolder _folder = null!;

    private string NextArguments => Path.Combine(_folder.Path, "next-args");

    protected override SaneScanner CreateDevice(TimeProvider timeProvider)
    {
        if (_folder is null)
        {
            _folder = new TempFolder("sane-test");
            File.WriteAllText(Path.Combine(_folder.Path, "dll.conf"), "test\n");
            var wrapper = Path.Combine(_folder.Path, "scanimage");
            // SANE's test backend itself hangs now and then (measured: 1 scanimage run in 30 needed a kill). The
            // stand-in gives such a hung run one retry so these tests judge the driver, not the stand-in; runs that
            // are slow on purpose (--read-delay) are left alone.
            File.WriteAllText(wrapper, $$"""
                #!/bin/sh
                extra=""
                if [ -f '{{NextArguments}}' ]; then extra=$(cat '{{NextArguments}}'); rm -f '{{NextArguments}}'; fi
                case "$extra" in *read-delay*) exec scanimage "$@" $extra ;; esac
                for attempt in 1 2; do
                  timeout 5 scanimage "$@" $extra
                  status=$?
                  [ $status -ne 124 ] && exit $status
                done
                exit 124

                """);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        var options = new SaneScannerOptions
        {
            ScanimagePath = Path.Combine(_folder.Path, "scanimage"),
            DeviceName = "test:0",
            // The test backend has no duplex source: its feeder's images stand for front, back, front, back.
            DuplexSource = "Automatic Document Feeder",
            SimplexSource = "Automatic Document Feeder",
        };
        options.Environment["SANE_CONFIG_DIR"] = _folder.Path;
        return new SaneScanner("documentScanner", options, timeProvider);
    }

    [TearDown]
    public void DeleteFolder()
    {
        _folder?.Dispose();
        _folder = null!;
    }

    protected override Task<T> DriveAsync<T>(Task<T> task) => RealIo.DriveAsync(task, Time, TimeSpan.FromSeconds(20));

    private bool Next(string arguments)
    {
        File.WriteAllText(NextArguments, arguments);
        return true;
    }

    protected override bool ArrangeSheets(int sheets) => Next($"--batch-count={sheets * 2}");

    protected override bool ArrangePaperJam() => Next("--read-return-value=SANE_STATUS_JAMMED");

    protected override bool ArrangeEmptyFeeder() => Next("--read-return-value=SANE_STATUS_NO_DOCS");

    protected override bool ArrangeUnplugged() => Next("--device-name=test:9");

    protected override bool ArrangeGarbage() => Next("--format=pnm");

    protected override bool ArrangeHardwareError() => Next("--read-return-value=SANE_STATUS_IO_ERROR");

    // 10 sides with a 0.1 s delay per 64 KiB buffer: about a second of real time, over 2 s on the driven fake clock.
    protected override bool ArrangeSlow() => Next("--read-delay=yes --read-delay-duration=100000 --batch-count=2");

    // One byte per read with the longest delay: the scan would take hours; the driver must give up at its timeout.
    protected override bool ArrangeTimeout() => Next("--read-limit=yes --read-limit-size=1 --read-delay=yes --read-delay-duration=200000");
}
