using NUnit.Framework;

namespace Kiosk.Devices.Tests.Contracts;

/// <summary>The ID card reader contract: a valid card; no card answers promptly; the wrong card is still a valid card.</summary>
public abstract class IdCardReaderContract<TDevice> : DeviceContract<TDevice>
    where TDevice : class, IIdCardReader
{
    protected static readonly IdCardReadRequest Request = new();

    protected override TimeSpan OperationTimeout => Request.Timeout;

    /// <summary>The card the fixture put on the reader.</summary>
    protected abstract IdCardData PresentedCard { get; }

    protected abstract bool ArrangeNoCard();

    protected abstract bool ArrangeWrongCard();

    protected override async Task<DeviceResult<Done>> OperateAsync(TDevice device, DeviceClaim claim, CancellationToken cancellationToken) =>
        (await device.ReadCardAsync(claim, Request, cancellationToken)).As<Done>();

    [Test]
    public async Task A_read_returns_the_presented_card_with_valid_fields()
    {
        var card = await SuccessOfAsync(c => Device.ReadCardAsync(c, Request, CancellationToken.None));
        Assert.That(card.IdNumber, Is.EqualTo(PresentedCard.IdNumber));
        Assert.That(card.Name, Is.EqualTo(PresentedCard.Name));
        IdCardChecks.AssertValid(card);
    }

    [Test]
    public async Task No_card_is_no_media_well_before_the_timeout()
    {
        if (!ArrangeNoCard())
        {
            Assert.Ignore("cannot take the card away on demand");
        }

        var started = Time.GetUtcNow();
        var result = await OperateOnceAsync();
        Assert.That(result.Code, Is.EqualTo(CompletionCode.NoMedia));
        Assert.That(Time.GetUtcNow() - started, Is.LessThan(Request.Timeout / 2));
    }

    [Test]
    public async Task The_wrong_card_is_a_different_valid_card()
    {
        if (!ArrangeWrongCard())
        {
            Assert.Ignore("cannot swap the card on demand");
        }

        var card = await SuccessOfAsync(c => Device.ReadCardAsync(c, Request, CancellationToken.None));
        Assert.That(card.IdNumber, Is.Not.EqualTo(PresentedCard.IdNumber));
        IdCardChecks.AssertValid(card);
    }
}
