using Kiosk.Agent.Control.Commands;
using Kiosk.Central.Messages;
using Kiosk.Fuzz.Harness;

namespace Kiosk.Fuzz.Targets;

/// <summary>
/// The body of a signed cmd/roster. Contract: never throws; an update or a reason, never both; a roster it accepts
/// survives being stored (<see cref="RosterCommand.ToDocument"/>) and read back, as the kiosk does at every start.
/// </summary>
internal sealed class RosterCommandTarget : IFuzzTarget
{
    public string Name => "cmd-roster";

    public string Covers => "agent/Kiosk.Agent/Control/Commands/RosterCommand.cs RosterCommand.TryParse";

    public void Run(byte[] input)
    {
        var parsed = RosterCommand.TryParse(input, out var update, out var error);
        ParsedContract.Check(parsed, update, error);
        if (!parsed)
        {
            return;
        }

        var stored = RosterCommand.ToDocument(update!.Version, update.People);
        if (!RosterCommand.TryParse(stored, out var again, out var why) || again!.Mode != RosterMode.Full || again.Version != update.Version
            || !again.People.Select(Key).SequenceEqual(update.People.Select(Key)))
        {
            throw new ContractViolationException($"an accepted roster does not read back once stored: {why}");
        }
    }

    private static string Key(Kiosk.Agent.Session.RosterEntry p) =>
        $"{p.PersonId}|{p.IdNumberHash}|{p.MaskedName}|{p.SupervisionLevel}|{Convert.ToHexString(p.EnrolledPhoto.Span)}|{Convert.ToHexString(p.FingerprintTemplate.Span)}";
}

/// <summary>The body of a signed cmd/policy. Contract: never throws; a policy or a reason, never both; every level it accepts starts with the ID card.</summary>
internal sealed class PolicyCommandTarget : IFuzzTarget
{
    public string Name => "cmd-policy";

    public string Covers => "agent/Kiosk.Agent/Control/Commands/PolicyCommand.cs PolicyCommand.TryParse";

    public void Run(byte[] input)
    {
        var parsed = PolicyCommand.TryParse(input, out var policy, out var error);
        ParsedContract.Check(parsed, policy, error);
        if (parsed && (policy!.Levels.Count is 0 or > PolicyCommand.MaxLevels || policy.Levels.Values.Any(l => l.Steps.Count == 0 || l.Steps[0] != Kiosk.Agent.Configuration.CheckInStep.IdCard)))
        {
            throw new ContractViolationException("an accepted policy has no levels, too many, or a level that does not start with the ID card");
        }
    }
}

/// <summary>The body of a signed cmd/certificate (the platform's answer to a renewal). Contract: never throws; a reply or a reason; a reply holds exactly one of a certificate and an error.</summary>
internal sealed class CertificateReplyTarget : IFuzzTarget
{
    public string Name => "cmd-certificate";

    public string Covers => "agent/Kiosk.Agent/Control/Commands/CertificateMessages.cs CertificateReply.TryParse";

    public void Run(byte[] input)
    {
        var parsed = CertificateReply.TryParse(input, out var reply, out var error);
        ParsedContract.Check(parsed, reply, error);
        if (parsed && reply!.CertificatePem is null == reply.Error is null)
        {
            throw new ContractViolationException("a reply with both a certificate and an error, or neither");
        }
    }
}

/// <summary>The body of a signed cmd/renew-certificate. Contract: never throws; arguments or a reason, never both.</summary>
internal sealed class RenewCertificateTarget : IFuzzTarget
{
    public string Name => "cmd-renew-certificate";

    public string Covers => "agent/Kiosk.Agent/Control/Commands/CertificateMessages.cs RenewCertificateArguments.TryParse";

    public void Run(byte[] input)
    {
        var parsed = RenewCertificateArguments.TryParse(input, out var arguments, out var error);
        ParsedContract.Check(parsed, arguments, error);
    }
}

/// <summary>A kiosk's certificate request (csr topic) as the platform simulator reads it. Contract: never throws; a request or a reason, never both.</summary>
internal sealed class CertificateRequestTarget : IFuzzTarget
{
    public string Name => "certificate-request";

    public string Covers => "simulators/Kiosk.Central/Messages/CertificateRequestMessage.cs CertificateRequestMessage.TryParse";

    public void Run(byte[] input)
    {
        var parsed = CertificateRequestMessage.TryParse(input, out var message, out var error);
        ParsedContract.Check(parsed, message, error);
    }
}

/// <summary>The agent's TryParse shape: true with a value and an empty reason, or false with no value and a reason.</summary>
internal static class ParsedContract
{
    public static void Check(bool parsed, object? value, string? error)
    {
        if (parsed != value is not null || error is null || parsed != (error.Length == 0))
        {
            throw new ContractViolationException($"TryParse returned {parsed} with {(value is null ? "no value" : "a value")} and {(string.IsNullOrEmpty(error) ? "no reason" : "a reason")}");
        }
    }
}
