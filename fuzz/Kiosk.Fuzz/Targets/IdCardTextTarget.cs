using Kiosk.Devices.IdCardReader;
using Kiosk.Fuzz.Harness;

namespace Kiosk.Fuzz.Targets;

/// <summary>
/// The card's 256-byte UCS-2 text (the rest of the input is the photo). Contract: never throws; a card comes back only
/// with a valid GB 11643 check character, and laying it out again gives a text that parses to the same fields.
/// </summary>
internal sealed class IdCardTextTarget : IFuzzTarget
{
    public string Name => "id-card-text";

    public string Covers => "drivers/Kiosk.Devices.IdCardReader/IdCardText.cs IdCardText.Parse";

    public void Run(byte[] input)
    {
        var textLength = Math.Min(input.Length, IdCardText.Length);
        var (card, error) = IdCardText.Parse(input.AsSpan(0, textLength), input.AsMemory(textLength));
        if (card is null)
        {
            return;
        }

        var (again, againError) = IdCardText.Parse(IdCardText.Format(card), card.Photo);
        if (error is not null || again is null || again with { Photo = card.Photo } != card)
        {
            throw new ContractViolationException($"a parsed card does not survive Format and Parse: {againError}");
        }
    }
}
