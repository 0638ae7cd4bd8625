using Kiosk.Agent.Consent;
using Kiosk.Agent.Devices;
using Kiosk.Agent.Session;
using Kiosk.Devices.Simulated;

namespace Kiosk.Simulation;

/// <summary>
/// A simulated person at the kiosk: presents their card and face, then does whatever step the session asks for next,
/// agreeing to biometric capture when asked (or continuing on the consent they gave before).
/// </summary>
public static class SimulatedVisitor
{
    public static IReadOnlyDictionary<string, string> Answers { get; } = new Dictionary<string, string>
    {
        ["residenceChanged"] = "否 / no",
        ["employment"] = "在职 / employed",
        ["healthStatus"] = "good", // one of the demo policy's choices for it
    };

    public static async Task<(StepOutcome Outcome, CheckInReceipt? Receipt)> CheckInAsync(CheckInSession session, DeviceSet devices, SimulatedPerson person, CancellationToken cancellationToken)
    {
        // A visitor can only hand a card or show a face to a simulated device; a real driver sees what its stand-in shows.
        (devices.IdCardReader as SimulatedIdCardReader)?.PresentCard(person.Card);
        (devices.FaceCamera as SimulatedFaceCamera)?.PresentFace(person.FaceSourceId, person.Presentation);
        try
        {
            var outcome = await session.StartAsync(cancellationToken).ConfigureAwait(false);
            while (outcome.IsCompleted)
            {
                if (session.State == SessionState.Consent)
                {
                    outcome = await session.ConsentAsync(ConsentChoice.Agree, cancellationToken).ConfigureAwait(false);
                }
                else if (session.NextStep is { } step)
                {
                    outcome = await session.RunStepAsync(step, Answers, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    break;
                }
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
