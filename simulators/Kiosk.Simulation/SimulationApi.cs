using Kiosk.Agent.Configuration;
using Kiosk.Agent.Devices;
using Kiosk.Agent.LocalApi;
using Kiosk.Devices.Simulated;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Kiosk.Simulation;

/// <summary>
/// Puts a simulated person in front of a demo or test kiosk whose ID card reader and face camera are simulated, so a
/// vendor or technician (and the tests) can run a whole check-in through the screen's API without hardware:
/// <c>POST /api/simulation/visitor</c> with <c>{"person": n}</c> (1-based, from the generated roster,
/// <c>Kiosk:Roster</c>; <c>"photo": true</c> shows their face as a still photograph, a presentation attack that fails liveness)
/// presents that person's card and face; <c>DELETE /api/simulation/visitor</c> takes them away.
/// It exists only in the demo and test hosts, and is not mapped at all when the ID card reader is a real driver.
/// </summary>
internal sealed class SimulationApi(DeviceSet devices, IOptions<KioskOptions> kiosk) : ILocalApiModule
{
    public void Map(IEndpointRouteBuilder routes)
    {
        if (devices.IdCardReader is not SimulatedIdCardReader reader)
        {
            return;
        }

        var roster = kiosk.Value.Roster;
        routes.MapPost("/api/simulation/visitor", (VisitorBody? body) =>
        {
            if (body is null || body.Person < 1 || body.Person > roster.SimulatedPeople)
            {
                return Results.Json(new LocalApiError($"give {{\"person\": n}} with n from 1 to {roster.SimulatedPeople} (Kiosk:Roster:SimulatedPeople)"), LocalApiJson.Options, statusCode: StatusCodes.Status400BadRequest);
            }

            var person = SimulatedRoster.People(roster)[body.Person - 1];
            reader.PresentCard(person.Card);
            (devices.FaceCamera as SimulatedFaceCamera)?.PresentFace(person.FaceSourceId, body.Photo ? FacePresentation.StillPhoto : FacePresentation.Live);
            return Results.Json(new VisitorView(body.Person, devices.FaceCamera is SimulatedFaceCamera), LocalApiJson.Options);
        });
        routes.MapDelete("/api/simulation/visitor", () =>
        {
            reader.PresentCard(null);
            (devices.FaceCamera as SimulatedFaceCamera)?.PresentFace(null);
            return Results.NoContent();
        });
    }

    /// <param name="Photo">True: the person's face is shown as a still photograph held up (a presentation attack that fails liveness).</param>
    private sealed record VisitorBody(int Person, bool Photo = false);

    /// <param name="FacePresented">False when the face camera is a real driver: it sees whatever its stand-in shows.</param>
    private sealed record VisitorView(int Person, bool FacePresented);
}
