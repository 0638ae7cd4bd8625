namespace Kiosk.Agent.LocalApi;

/// <summary>The local API could not listen (its port is taken); the agent does not start without it.</summary>
public sealed class LocalApiUnavailableException : IOException
{
    public LocalApiUnavailableException()
    {
    }

    public LocalApiUnavailableException(string message)
        : base(message)
    {
    }

    public LocalApiUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
