namespace Kiosk.Ctl.Files;

/// <summary>A symbolic link kioskctl will not write through (see <see cref="TrustedPath"/>); the message names it and what to do.</summary>
internal sealed class UntrustedLinkException : IOException
{
    public UntrustedLinkException()
    {
    }

    public UntrustedLinkException(string message)
        : base(message)
    {
    }

    public UntrustedLinkException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
