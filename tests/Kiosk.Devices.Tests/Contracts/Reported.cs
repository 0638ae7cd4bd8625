namespace Kiosk.Devices.Tests.Contracts;

/// <summary>
/// A reporter that keeps what a device reports, in the order it came, from whichever thread (unlike
/// <see cref="Progress{T}"/>, which posts to the thread pool and may reorder).
/// </summary>
public sealed class Reported<T> : IProgress<T>
{
    private readonly List<T> _items = [];

    public IReadOnlyList<T> Items
    {
        get
        {
            lock (_items)
            {
                return [.. _items];
            }
        }
    }

    public void Report(T value)
    {
        lock (_items)
        {
            _items.Add(value);
        }
    }
}
