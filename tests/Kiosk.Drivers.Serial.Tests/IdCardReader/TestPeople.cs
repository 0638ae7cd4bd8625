using Kiosk.Devices;
using Kiosk.Devices.Simulated;

namespace Kiosk.Drivers.Serial.Tests.IdCardReader;

/// <summary>Test people with valid GB 11643 numbers, taken from the simulators' generator.</summary>
internal static class TestPeople
{
    private static readonly IReadOnlyList<SimulatedPerson> People = SimulatedPeople.Generate(20261128, 2);

    /// <summary>A stand-in WLT photo: 1024 bytes with a recognisable pattern (the format itself is licensed).</summary>
    public static byte[] Photo { get; } = Enumerable.Range(0, 1024).Select(i => (byte)(i * 7)).ToArray();

    public static IdCardData Card { get; } = People[0].Card with { Photo = Photo };

    public static IdCardData Other { get; } = People[1].Card with { Photo = Photo };

    /// <summary>The same card with its check character changed: the number no longer validates.</summary>
    public static IdCardData WithWrongCheckDigit(IdCardData card)
    {
        var number = card.IdNumber;
        var wrong = number[17] == '0' ? '1' : '0';
        return card with { IdNumber = number[..17] + wrong };
    }
}
