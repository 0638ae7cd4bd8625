using Kiosk.Devices.DocumentImaging;
using Kiosk.Devices.Tests.Contracts;

namespace Kiosk.Drivers.DocumentImaging.Tests.DocumentScanner;

/// <summary>
/// The scanner contract on <see cref="EsclScanner"/> against <see cref="FakeEsclScanner"/>, an eSCL server on loopback.
/// The request timeout is longer than the operation's, so a scanner that never answers is the operation's Timeout.
/// </summary>
public sealed class EsclScannerContractTests : DocumentScannerContract<EsclScanner>
{
    private FakeEsclScanner _server = null!;

    protected override EsclScanner CreateDevice(TimeProvider timeProvider)
    {
        _server ??= new FakeEsclScanner();
        var options = new EsclScannerOptions { BaseUri = _server.BaseUri, RequestTimeout = TimeSpan.FromMinutes(5) };
        return new EsclScanner("documentScanner", options, timeProvider);
    }

    [TearDown]
    public void StopServer()
    {
        _server?.Dispose();
        _server = null!;
    }

    protected override Task<T> DriveAsync<T>(Task<T> task) => RealIo.DriveAsync(task, Time, TimeSpan.FromSeconds(20));

    protected override bool ArrangeSheets(int sheets)
    {
        _server.Sheets = sheets;
        return true;
    }

    protected override bool ArrangePaperJam() => Script(EsclScript.Jam);

    protected override bool ArrangeEmptyFeeder() => Script(EsclScript.EmptyFeeder);

    protected override bool ArrangeUnplugged()
    {
        _server.Stop();
        return true;
    }

    protected override bool ArrangeGarbage() => Script(EsclScript.Garbage);

    protected override bool ArrangeHardwareError() => Script(EsclScript.Conflict);

    // Five 503 answers, each waited out for the default 0.5 s: 2.5 s on the driven fake clock.
    protected override bool ArrangeSlow()
    {
        _server.BusyAnswers = 5;
        return Script(EsclScript.Busy);
    }

    protected override bool ArrangeTimeout() => Script(EsclScript.Hang);

    private bool Script(EsclScript script)
    {
        _server.Next = script;
        return true;
    }
}
