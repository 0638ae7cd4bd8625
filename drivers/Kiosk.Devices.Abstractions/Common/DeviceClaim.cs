namespace Kiosk.Devices;

/// <summary>
/// Exclusive use of one device (UnifiedPOS claim/release). Operations take the claim and fail with
/// <see cref="CompletionCode.NotClaimed"/> when it is not the device's current claim. Disposing releases it.
/// </summary>
public sealed class DeviceClaim : IDisposable
{
    private readonly Action<DeviceClaim> _release;
    private int _released;

    internal DeviceClaim(string owner, Action<DeviceClaim> release)
    {
        Owner = owner;
        _release = release;
    }

    public string Owner { get; }

    public bool IsReleased => Volatile.Read(ref _released) == 1;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _release(this);
        }
    }
}
