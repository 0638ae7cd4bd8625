using Kiosk.Fuzz.Targets;

namespace Kiosk.Fuzz.Harness;

/// <summary>Every target, in the order ./kiosk.sh fuzz runs them.</summary>
internal static class FuzzTargets
{
    public static IReadOnlyList<IFuzzTarget> All { get; } =
    [
        new AckTarget(),
        new RecordBatchTarget(),
        new ChunkHeaderTarget(),
        new SamFrameTarget(),
        new IdCardTextTarget(),
        new SamReaderTarget(),
        new R30xPacketTarget(),
        new R30xCaptureTarget(),
        new EvdevSignatureTarget(),
        new EsclStatusTarget(),
        new EsclScanTarget(),
        new ScannedFileTarget(),
        new EnrollmentReplyTarget(),
        new ConfigFileTarget(),
        new ConfigCommandBodyTarget(),
        new LogsCommandBodyTarget(),
        new AlertDispositionBodyTarget(),
        new PlatformMessageTarget(),
        new SignedPlatformMessageTarget(),
        new SignedAckTarget(),
        new RosterCommandTarget(),
        new PolicyCommandTarget(),
        new CertificateReplyTarget(),
        new RenewCertificateTarget(),
        new CertificateRequestTarget(),
    ];

    public static IFuzzTarget? Find(string name) => All.FirstOrDefault(t => t.Name == name);
}
