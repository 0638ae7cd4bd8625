using Kiosk.Agent.Devices;
using Kiosk.Agent.Session;
using Kiosk.Devices.Simulated;

namespace Kiosk.Demo;

/// <summary>A simulated person at the kiosk: presents their card and face, then does whatever step the session asks for next.</summary>
internal static class SimulatedVisitor
{
    private static readonly Dictionary<string, string> Answers = new()
    {
        ["residenceChanged"] = "否 / no",
        ["employment"] = "在职 / employed",
        ["healthStatus"] = "良好 / good",
    };

    public static async Task<(StepOutcome Outcome, CheckInReceipt? Receipt)> CheckInAsync(CheckInSession session, DeviceSet devices, SimulatedPerson person, CancellationToken cancellationToken)
    {
        // A visitor can only hand a card or show a face to a simulated device; a real driver sees what its stand-in shows.
        (devices.IdCardReader as SimulatedIdCardReader)?.PresentCard(person.Card);
        (devices.FaceCamera as SimulatedFaceCamera)?.PresentFace(person.FaceSourceId);
        try
        {
            var outcome = await session.StartAsync(cancellationToken).ConfigureAwait(false);
            while (outcome.IsCompleted && session.NextStep is { } step)
            {
                outcome = step switch
                {
                    CheckInStep.IdCard => await session.ReadIdCardAsync(cancellationToken).ConfigureAwait(false),
                    CheckInStep.Face => await session.VerifyFaceAsync(cancellationToken).ConfigureAwait(false),
                    CheckInStep.Fingerprint => await session.VerifyFingerprintAsync(cancellationToken).ConfigureAwait(false),
                    CheckInStep.ReportAnswers => await session.SubmitReportAsync(Answers, cancellationToken).ConfigureAwait(false),
                    CheckInStep.SpokenReport => await session.RecordSpokenReportAsync(cancellationToken).ConfigureAwait(false),
                    CheckInStep.DocumentScan => await session.ScanDocumentsAsync(cancellationToken).ConfigureAwait(false),
                    _ => await session.SignAsync(cancellationToken).ConfigureAwait(false),
                };
            }

            if (!outcome.IsCompleted || session.State != SessionState.Commit)
            {
                return (outcome, null);
            }

            return await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            session.Reset();
            (devices.IdCardReader as SimulatedIdCardReader)?.PresentCard(null);
            (devices.FaceCamera as SimulatedFaceCamera)?.PresentFace(null);
        }
    }
}
