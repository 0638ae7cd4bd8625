using System.Globalization;
using System.Text;

namespace Kiosk.Devices.IdCardReader;

/// <summary>
/// The 256-byte fixed text of a resident ID card (GA/T 467-2004, basic information): UCS-2 little-endian,
/// fixed widths in characters, padded with spaces.
/// </summary>
internal static class IdCardText
{
    public const int Length = 256;

    /// <summary>The WLT photo is always 1024 bytes (GA/T 467); decoding it needs the licensed WLT library.</summary>
    public const int PhotoLength = 1024;

    /// <summary>Field widths in UCS-2 characters, in card order: name, sex, ethnicity, birth, address, number, authority, from, until, reserved.</summary>
    internal static readonly int[] Widths = [15, 1, 2, 8, 35, 18, 15, 8, 8, 18];

    /// <summary>"长期": a card valid without end (issued to people over 46).</summary>
    private const string LongTerm = "长期";

    /// <summary>Parses the text; returns an error message instead of a card when a field is not valid.</summary>
    public static (IdCardData? Card, string? Error) Parse(ReadOnlySpan<byte> text, ReadOnlyMemory<byte> photo)
    {
        if (text.Length != Length)
        {
            return (null, $"card text is {text.Length} bytes, GA/T 467 says {Length}");
        }

        var fields = new string[Widths.Length];
        var offset = 0;
        for (var i = 0; i < Widths.Length; i++)
        {
            fields[i] = Encoding.Unicode.GetString(text.Slice(offset, Widths[i] * 2)).Trim(' ', '\0');
            offset += Widths[i] * 2;
        }

        var number = fields[5];
        if (!IdNumberCheck.HasValidCheckCharacter(number))
        {
            return (null, "the ID number fails its GB 11643-1999 check character");
        }

        if (!TryDate(fields[3], out var birth) || !TryDate(fields[7], out var validFrom))
        {
            return (null, "a date field is not yyyyMMdd");
        }

        DateOnly? validUntil = null;
        if (fields[8] != LongTerm)
        {
            if (!TryDate(fields[8], out var until))
            {
                return (null, "the end of validity is neither yyyyMMdd nor 长期");
            }

            validUntil = until;
        }

        if (fields[1] is not ("1" or "2") || fields[2].Length != 2 || fields[0].Length == 0)
        {
            return (null, "name, sex or ethnicity code is missing or malformed");
        }

        var card = new IdCardData
        {
            Name = fields[0],
            SexCode = fields[1],
            EthnicityCode = fields[2],
            BirthDate = birth,
            Address = fields[4],
            IdNumber = number.ToUpperInvariant(),
            IssuingAuthority = fields[6],
            ValidFrom = validFrom,
            ValidUntil = validUntil,
            Photo = photo,
        };
        return (card, null);
    }

    /// <summary>Lays the fields of a card out as the SAM sends them (for the tests' stand-in and round-trip tests).</summary>
    public static byte[] Format(IdCardData card)
    {
        ArgumentNullException.ThrowIfNull(card);
        string[] fields =
        [
            card.Name, card.SexCode, card.EthnicityCode, Date(card.BirthDate), card.Address, card.IdNumber,
            card.IssuingAuthority, Date(card.ValidFrom), card.ValidUntil is { } until ? Date(until) : LongTerm, "",
        ];
        var text = new byte[Length];
        var offset = 0;
        for (var i = 0; i < Widths.Length; i++)
        {
            var padded = fields[i].PadRight(Widths[i]);
            if (padded.Length > Widths[i])
            {
                throw new ArgumentException($"field {i} is longer than {Widths[i]} characters", nameof(card));
            }

            Encoding.Unicode.GetBytes(padded, text.AsSpan(offset));
            offset += Widths[i] * 2;
        }

        return text;
    }

    private static string Date(DateOnly date) => date.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private static bool TryDate(string text, out DateOnly date) =>
        DateOnly.TryParseExact(text, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
}
