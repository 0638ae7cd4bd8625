namespace Kiosk.Central.Provisioning;

/// <summary>The error codes of an enrollment reply (docs/schemas/provisioning-enroll-reply.schema.json).</summary>
internal static class EnrollmentErrors
{
    public const string Malformed = "malformed";
    public const string TokenUnknown = "tokenUnknown";
    public const string TokenUsed = "tokenUsed";
    public const string TokenExpired = "tokenExpired";
    public const string IdentityMismatch = "identityMismatch";
    public const string CsrInvalid = "csrInvalid";
    public const string Internal = "internal";
}

/// <summary>An issued certificate (PEM), or the error code and a message that says what to do.</summary>
internal sealed record EnrollmentOutcome(string? CertificatePem, string? ErrorCode, string? Message)
{
    public static EnrollmentOutcome Issued(string certificatePem) => new(certificatePem, null, null);

    public static EnrollmentOutcome Refused(string code, string message) => new(null, code, message);
}
