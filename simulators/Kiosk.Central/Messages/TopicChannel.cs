namespace Kiosk.Central.Messages;

/// <summary>The part of <c>kiosk/v1/{site}/{kiosk}/...</c> that says what a message is.</summary>
internal enum TopicChannel
{
    State,
    Telemetry,
    Records,
    Blob,

    /// <summary><c>csr</c>: the kiosk asks for a renewed certificate (docs/mqtt-contract.md, "Certificate renewal").</summary>
    CertificateRequest,
}
