using Kiosk.Devices.Simulated;
using Kiosk.Devices.Tests.Contracts;
using NUnit.Framework;

namespace Kiosk.Devices.Tests.Simulated;

[TestFixture]
public sealed class SimulatedIdCardReaderContractTests : IdCardReaderContract<SimulatedIdCardReader>
{
    private static readonly IdCardData Card = SimulatedPeople.Generate(Simulation.Seed, 1)[0].Card;

    protected override IdCardData PresentedCard => Card;

    protected override SimulatedIdCardReader CreateDevice(TimeProvider timeProvider)
    {
        var reader = new SimulatedIdCardReader("idCardReader", Simulation.Options(), timeProvider);
        reader.PresentCard(Card);
        return reader;
    }

    protected override bool ArrangeUnplugged() => Script(SimulatedFault.Unplugged);

    protected override bool ArrangeSlow() => Script(SimulatedFault.Slow);

    protected override bool ArrangeTimeout() => Script(SimulatedFault.Timeout);

    protected override bool ArrangeGarbage() => Script(SimulatedFault.GarbageData);

    protected override bool ArrangeHardwareError() => Script(SimulatedFault.HardwareError);

    protected override bool ArrangeWrongCard() => Script(SimulatedFault.WrongCard);

    protected override bool ArrangeNoCard()
    {
        Device.PresentCard(null);
        return true;
    }

    [Test]
    public async Task The_wrong_card_differs_even_from_a_stranger_generated_with_the_same_seed()
    {
        Device.PresentCard(null);
        Device.Faults.Next(SimulatedFault.WrongCard);
        var card = await SuccessOfAsync(c => Device.ReadCardAsync(c, Request, CancellationToken.None));
        IdCardChecks.AssertValid(card);
    }

    private bool Script(SimulatedFault fault)
    {
        Device.Faults.Next(fault);
        return true;
    }
}
