namespace Kiosk.Devices;

/// <summary>
/// The outcome of one device operation: a completion code, a device-specific error
/// (for example a SAM status word or a SANE status), a human description and, on success, the value.
/// </summary>
public sealed record DeviceResult<T>
{
    public required CompletionCode Code { get; init; }
    public T? Value { get; init; }
    public string? DeviceError { get; init; }
    public string Description { get; init; } = "";

    public bool IsSuccess => Code == CompletionCode.Success;

    public static DeviceResult<T> Success(T value) => new() { Code = CompletionCode.Success, Value = value, Description = "ok" };

    public static DeviceResult<T> Failure(CompletionCode code, string description, string? deviceError = null)
    {
        if (code == CompletionCode.Success)
        {
            throw new ArgumentException("A failure needs a code other than Success.", nameof(code));
        }

        return new() { Code = code, Description = description, DeviceError = deviceError };
    }

    /// <summary>Carries a failure over to a result of another type.</summary>
    public DeviceResult<TOther> As<TOther>() => new() { Code = Code, Description = Description, DeviceError = DeviceError };

    public override string ToString() => IsSuccess ? $"Success({Value})" : $"{Code}: {Description}{(DeviceError is null ? "" : $" [{DeviceError}]")}";
}

/// <summary>Marker for operations that return nothing but their completion code.</summary>
public readonly record struct Done;
