using System.Security.Cryptography;
using System.Text;

namespace Kiosk.Central.Provisioning;

/// <summary>
/// One-time enrollment tokens: 128 random bits written as 26 characters of RFC 4648 base32 (A-Z, 2-7), easy to read
/// out and type. Only their SHA-256 is stored, so the database alone does not let anyone enroll.
/// </summary>
internal static class EnrollmentToken
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    public static string New()
    {
        var bytes = RandomNumberGenerator.GetBytes(16);
        var text = new StringBuilder(26);
        int buffer = 0, bits = 0;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                text.Append(Alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }

        if (bits > 0)
        {
            text.Append(Alphabet[(buffer << (5 - bits)) & 31]);
        }

        return text.ToString();
    }

    /// <summary>What a person may type: any case, with spaces or dashes between groups.</summary>
    public static string Normalize(string token) =>
        new([.. token.Where(c => c is not (' ' or '-')).Select(char.ToUpperInvariant)]);

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Normalize(token))));
}
