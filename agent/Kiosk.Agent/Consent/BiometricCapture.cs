using Kiosk.Agent.Configuration;

namespace Kiosk.Agent.Consent;

/// <summary>
/// What the kiosk captures of a person's body or behaviour, each asked for by name before the first capture
/// (GB/T 41819-2022 on biometric information; PIPL art. 28-29 on sensitive personal information). The ID card's photo is
/// not here: it is read from the card that identifies the person, before consent is asked, and captures nothing of them.
/// </summary>
public enum BiometricCapture
{
    Face,
    Fingerprint,
    Voice,
    Signature,
}

public static class BiometricCaptures
{
    /// <summary>The capture's name on the wire, in the consent record and in the local API (<c>face</c>, <c>voice</c>...).</summary>
    public static string WireName(this BiometricCapture capture) => capture switch
    {
        BiometricCapture.Face => "face",
        BiometricCapture.Fingerprint => "fingerprint",
        BiometricCapture.Voice => "voice",
        _ => "signature",
    };

    /// <summary>The capture with wire name <paramref name="wireName"/>, or null.</summary>
    public static BiometricCapture? FromWireName(string wireName) =>
        Enum.GetValues<BiometricCapture>().Cast<BiometricCapture?>().FirstOrDefault(c => c!.Value.WireName() == wireName);

    /// <summary>What <paramref name="step"/> captures of the person, or null when it captures nothing biometric.</summary>
    public static BiometricCapture? CaptureOf(this CheckInStep step) => step switch
    {
        CheckInStep.Face => BiometricCapture.Face,
        CheckInStep.Fingerprint => BiometricCapture.Fingerprint,
        CheckInStep.SpokenReport => BiometricCapture.Voice,
        CheckInStep.Signature => BiometricCapture.Signature,
        _ => null,
    };
}
