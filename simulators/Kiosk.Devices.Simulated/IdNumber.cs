using System.Globalization;

namespace Kiosk.Devices.Simulated;

/// <summary>
/// Citizen identification numbers of GB 11643-1999: a 6-digit region code, the birth date as yyyyMMdd,
/// a 3-digit sequence (odd for men, even for women) and an ISO 7064 MOD 11-2 check character.
/// </summary>
public static class IdNumber
{
    /// <summary>Weights W_i = 2^(17-i) mod 11 of ISO 7064 MOD 11-2 for the 17 leading digits.</summary>
    private static readonly int[] Weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

    /// <summary>The check character for a weighted sum mod 11 of 0, 1, 2 ... 10.</summary>
    private const string CheckCharacters = "10X98765432";

    /// <summary>The check character ('0'..'9' or 'X') of the first 17 digits.</summary>
    public static char ComputeCheckDigit(string first17)
    {
        ArgumentNullException.ThrowIfNull(first17);
        if (first17.Length != 17 || !first17.All(char.IsAsciiDigit))
        {
            throw new ArgumentException("expected exactly 17 digits", nameof(first17));
        }

        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            sum += (first17[i] - '0') * Weights[i];
        }

        return CheckCharacters[sum % 11];
    }

    /// <summary>True when the number has 17 digits, a real birth date and the right check character.</summary>
    public static bool IsValid(string? idNumber)
    {
        if (idNumber is not { Length: 18 } || !idNumber[..17].All(char.IsAsciiDigit))
        {
            return false;
        }

        return TryReadBirthDate(idNumber, out _) && ComputeCheckDigit(idNumber[..17]) == char.ToUpperInvariant(idNumber[17]);
    }

    /// <summary>The birth date in positions 7 to 14.</summary>
    public static bool TryReadBirthDate(string idNumber, out DateOnly birthDate)
    {
        ArgumentNullException.ThrowIfNull(idNumber);
        birthDate = default;
        return idNumber.Length >= 14 && DateOnly.TryParseExact(idNumber.AsSpan(6, 8), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out birthDate);
    }
}
