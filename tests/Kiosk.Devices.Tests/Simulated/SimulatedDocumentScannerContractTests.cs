using Kiosk.Devices.Simulated;
using Kiosk.Devices.Tests.Contracts;
using NUnit.Framework;

namespace Kiosk.Devices.Tests.Simulated;

[TestFixture]
public sealed class SimulatedDocumentScannerContractTests : DocumentScannerContract<SimulatedDocumentScanner>
{
    protected override SimulatedDocumentScanner CreateDevice(TimeProvider timeProvider) => new("scanner", Simulation.Options(), timeProvider);

    protected override bool MakesThumbnails => false;

    protected override bool ArrangeUnplugged() => Script(SimulatedFault.Unplugged);

    protected override bool ArrangeSlow() => Script(SimulatedFault.Slow);

    protected override bool ArrangeTimeout() => Script(SimulatedFault.Timeout);

    protected override bool ArrangeGarbage() => Script(SimulatedFault.GarbageData);

    protected override bool ArrangeHardwareError() => Script(SimulatedFault.HardwareError);

    protected override bool ArrangePaperJam() => Script(SimulatedFault.PaperJam);

    protected override bool ArrangeEmptyFeeder()
    {
        Device.SheetsInFeeder = 0;
        return true;
    }

    protected override bool ArrangeSheets(int sheets)
    {
        Device.SheetsInFeeder = sheets;
        return true;
    }

    [Test]
    public async Task The_no_page_fault_is_an_empty_feeder()
    {
        Device.Faults.Next(SimulatedFault.NoPage);
        Assert.That((await OperateOnceAsync()).Code, Is.EqualTo(CompletionCode.NoMedia));
    }

    [Test]
    public async Task The_front_is_page_png_and_the_back_text_png()
    {
        var batch = await SuccessOfAsync(c => Device.ScanAsync(c, Request, CancellationToken.None));
        Assert.That(batch.Pages, Has.Count.EqualTo(2), "one sheet by default");
        Assert.That((batch.Pages[0].Image.Width, batch.Pages[0].Image.Height), Is.EqualTo((384, 191)));
        Assert.That((batch.Pages[1].Image.Width, batch.Pages[1].Image.Height), Is.EqualTo((448, 172)));
    }

    private bool Script(SimulatedFault fault)
    {
        Device.Faults.Next(fault);
        return true;
    }
}
