namespace Kiosk.Devices.IdCardReader;

/// <summary>The GB 11643-1999 check character (ISO 7064 MOD 11-2) of citizen identification numbers.</summary>
internal static class IdNumberCheck
{
    /// <summary>W_i = 2^(17-i) mod 11 for the 17 leading digits (GB 11643-1999 §7.2).</summary>
    private static readonly int[] Weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

    /// <summary>Check character for a weighted sum mod 11 of 0, 1, 2 ... 10.</summary>
    private const string CheckCharacters = "10X98765432";

    /// <summary>True when there are 17 digits followed by the right check character ('X' in either case).</summary>
    public static bool HasValidCheckCharacter(string number)
    {
        if (number is not { Length: 18 } || number.AsSpan(0, 17).ContainsAnyExceptInRange('0', '9'))
        {
            return false;
        }

        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            sum += (number[i] - '0') * Weights[i];
        }

        return CheckCharacters[sum % 11] == char.ToUpperInvariant(number[17]);
    }
}
