using Kiosk.Ctl.Enrollment;
using Kiosk.Fuzz.Harness;

namespace Kiosk.Fuzz.Targets;

/// <summary>The platform's enrollment and time replies as kioskctl reads them. Contract: never throws; null for anything that is not a reply.</summary>
internal sealed class EnrollmentReplyTarget : IFuzzTarget
{
    public string Name => "enrollment-reply";

    public string Covers => "provisioning/Kiosk.Ctl/Enrollment/EnrollmentReply.cs EnrollmentReply.Read, ReadPlatformTime";

    public void Run(byte[] input)
    {
        var reply = EnrollmentReply.Read(input);
        _ = EnrollmentReply.ReadPlatformTime(input);
        if (reply is not null && reply.Error is null && (reply.Certificate is null || reply.CaChain is null || reply.CommandSigningKey is null))
        {
            throw new ContractViolationException("a reply without an error is missing a certificate field");
        }
    }
}
