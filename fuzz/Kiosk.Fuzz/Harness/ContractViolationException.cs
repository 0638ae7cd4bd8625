namespace Kiosk.Fuzz.Harness;

/// <summary>A parser returned normally but broke a promise it makes about what it returns (an oracle of a target).</summary>
internal sealed class ContractViolationException : Exception
{
    public ContractViolationException(string message)
        : base(message)
    {
    }

    public ContractViolationException()
    {
    }

    public ContractViolationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
