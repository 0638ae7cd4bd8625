namespace Kiosk.Devices;

/// <summary>Resident ID card reader (GA/T 467 SAM protocol).</summary>
public interface IIdCardReader : IDevice
{
    /// <summary>Waits for a card on the reader and reads its text and photo.</summary>
    Task<DeviceResult<IdCardData>> ReadCardAsync(DeviceClaim claim, IdCardReadRequest request, CancellationToken cancellationToken);
}

public sealed record IdCardReadRequest
{
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Text fields of a resident ID card (GA/T 467, UCS-2 fixed widths, trimmed) and the photo exactly
/// as the SAM delivered it (1024-byte WLT; decoding needs a licensed library).
/// </summary>
public sealed record IdCardData
{
    public required string Name { get; init; }
    /// <summary>GB/T 2261.1 sex code: 1 male, 2 female.</summary>
    public required string SexCode { get; init; }
    /// <summary>GB 3304 ethnicity code, two digits.</summary>
    public required string EthnicityCode { get; init; }
    public required DateOnly BirthDate { get; init; }
    public required string Address { get; init; }
    public required string IdNumber { get; init; }
    public required string IssuingAuthority { get; init; }
    public required DateOnly ValidFrom { get; init; }
    /// <summary>Null for a long-term (长期) card.</summary>
    public DateOnly? ValidUntil { get; init; }
    public ReadOnlyMemory<byte> Photo { get; init; }

    /// <summary>Redacted form for logs and status: never the full name or number.</summary>
    public override string ToString() => $"IdCard({(IdNumber.Length >= 4 ? IdNumber[^4..] : "?")})";
}
