using System.Text;
using System.Text.Json.Nodes;
using Kiosk.Agent.Configuration;
using Kiosk.Agent.Control.Commands;
using Kiosk.Agent.Session;
using Kiosk.Agent.Tests.Control;
using Kiosk.Devices;
using Kiosk.Devices.Simulated;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiosk.Agent.Tests.Session;

/// <summary>
/// The document step under a policy that names document types: the document camera takes one page per type, in order,
/// with a retry and plain words for a page it cannot use; the scanner stays where there is no camera or no types.
/// </summary>
public sealed class DocumentCameraStepTests
{
    private static readonly string[] Types = ["workCertificate", "residenceCertificate"];
    private PolicyStore _policies = null!;
    private SessionFixture _kiosk = null!;
    private readonly List<SessionActivity> _activities = [];

    [SetUp]
    public void SetUp()
    {
        _activities.Clear();
        _policies = new PolicyStore(null, NullLogger<PolicyStore>.Instance);
    }

    [TearDown]
    public async Task TearDown()
    {
        await _kiosk.DisposeAsync();
        _policies.Dispose();
    }

    private async Task StartAsync(bool policy = true, bool camera = true)
    {
        _kiosk = new SessionFixture(policies: _policies, deviceSettings: camera ? null : [new("Kiosk:Devices:DocumentCamera", "None")]);
        await _kiosk.OpenAsync();
        _kiosk.Session.Activity += (_, activity) => _activities.Add(activity);
        if (policy)
        {
            var body = PolicyCommandParseTests.Policy(3);
            body["levels"]!["strict"] = PolicyCommandParseTests.Level(["idCard", "face", "documentScan", "signature"], Types);
            Assert.That(PolicyCommand.TryParse(Encoding.UTF8.GetBytes(body.ToJsonString()), out var parsed, out var error), Is.True, error);
            Assert.That((await _policies.ApplyAsync(parsed!, body.ToJsonString(), CancellationToken.None)).Applied, Is.Not.Null);
        }

        await _kiosk.IdentifyAsync(_kiosk.StrictPerson);
        while (_kiosk.Session.NextStep is { } step && step != CheckInStep.DocumentScan)
        {
            Assert.That((await _kiosk.DoAsync(step)).Result, Is.EqualTo(StepResult.Completed), step.ToString());
        }
    }

    private SimulatedDocumentCamera Camera => (SimulatedDocumentCamera)_kiosk.Devices.DocumentCamera;

    [Test]
    public async Task Each_policy_type_is_one_page_under_the_camera_and_the_record_lists_them()
    {
        await StartAsync();
        Assert.That(_kiosk.Session.DocumentDevice, Is.EqualTo(DeviceClass.DocumentCamera));
        Assert.That(_kiosk.Session.DocumentToPlace, Is.EqualTo(("workCertificate", 1, 2)));

        var first = await _kiosk.DoAsync(CheckInStep.DocumentScan);
        Assert.Multiple(() =>
        {
            Assert.That(first.Result, Is.EqualTo(StepResult.Completed));
            Assert.That(first.NextStep, Is.EqualTo(CheckInStep.DocumentScan), "the step goes on to the next type");
            Assert.That(first.Message, Does.Contain("居住证明").And.Contain("residence certificate"));
            Assert.That(_kiosk.Session.DocumentToPlace, Is.EqualTo(("residenceCertificate", 2, 2)));
        });
        var second = await _kiosk.DoAsync(CheckInStep.DocumentScan);
        Assert.That(second.Result, Is.EqualTo(StepResult.Completed));
        Assert.That(second.NextStep, Is.EqualTo(CheckInStep.Signature));
        Assert.That(_kiosk.Session.DocumentToPlace, Is.Null);

        var documents = _activities.Where(a => a.Kind == "document").Select(a => a.Data).ToList();
        Assert.That(documents.Select(d => d["type"]!.GetValue<string>()), Is.EqualTo(Types));
        Assert.That(documents.Select(d => d["image"]!.GetValue<string>()), Has.All.StartWith("data:image/png;base64,"), "the simulator's pages are their own thumbnails");
        Assert.That(documents[0]["textZh"]!.GetValue<string>(), Is.EqualTo("工作证明"));

        await _kiosk.CompleteRemainingStepsAsync();
        await _kiosk.Session.CommitAsync(CancellationToken.None);
        var (record, body) = (await _kiosk.StoredAsync()).Single(r => r.Record.Kind == Kiosk.Agent.Outbox.RecordKind.CheckIn);
        var step = body["steps"]!.AsArray().Single(s => s!["step"]!.GetValue<string>() == "documentScan")!["detail"]!;
        Assert.Multiple(() =>
        {
            Assert.That(step["device"]!.GetValue<string>(), Is.EqualTo("documentCamera"));
            Assert.That(step["pages"]!.GetValue<int>(), Is.EqualTo(2));
            Assert.That(step["documents"]!.AsArray().Select(d => (d!["type"]!.GetValue<string>(), d["pages"]!.GetValue<int>())), Is.EqualTo(new[] { ("workCertificate", 1), ("residenceCertificate", 1) }));
            Assert.That(record.Attachments.Where(a => a.AttachmentId.StartsWith("document-", StringComparison.Ordinal)).Select(a => (a.AttachmentId, a.ContentType)),
                Is.EqualTo(new[] { ("document-workCertificate", "image/png"), ("document-residenceCertificate", "image/png") }));
            Assert.That(body.ToJsonString(), Does.Not.Contain("data:image"), "thumbnails never reach the record");
        });
    }

    [TestCase(SimulatedFault.NoPage, "请将工作证明平放在高拍仪下")]
    [TestCase(SimulatedFault.PageCutOff, "out of view")]
    [TestCase(SimulatedFault.BlurredPage, "blurred")]
    public async Task A_page_the_camera_cannot_use_is_taken_again_with_plain_words(SimulatedFault fault, string hint)
    {
        await StartAsync();
        Camera.Faults.Next(fault);

        var retry = await _kiosk.DoAsync(CheckInStep.DocumentScan);
        Assert.Multiple(() =>
        {
            Assert.That(retry.Result, Is.EqualTo(StepResult.Retry));
            Assert.That(retry.Message, Does.Contain(hint));
            Assert.That(_kiosk.Session.DocumentToPlace, Is.EqualTo(("workCertificate", 1, 2)), "the same document is asked for again");
            Assert.That(_activities.Where(a => a.Kind == "document"), Is.Empty);
        });
        Assert.That((await _kiosk.DoAsync(CheckInStep.DocumentScan)).Result, Is.EqualTo(StepResult.Completed));
        Assert.That(_kiosk.Session.DocumentToPlace, Is.EqualTo(("residenceCertificate", 2, 2)));
    }

    [Test]
    public async Task A_failing_camera_is_a_device_failure_as_at_every_step()
    {
        await StartAsync();
        Camera.Faults.Next(SimulatedFault.HardwareError);

        var failed = await _kiosk.DoAsync(CheckInStep.DocumentScan);
        Assert.That(failed.Result, Is.EqualTo(StepResult.DeviceFailed));
        Assert.That(_kiosk.Session.DocumentToPlace, Is.EqualTo(("workCertificate", 1, 2)));
    }

    [TestCase(true, false, TestName = "A kiosk without a document camera feeds the scanner")]
    [TestCase(false, true, TestName = "Configuration's levels (no document types) feed the scanner")]
    public async Task Without_a_camera_or_types_the_scanner_takes_the_feeder(bool policy, bool camera)
    {
        await StartAsync(policy, camera);
        Assert.That(_kiosk.Session.DocumentDevice, Is.EqualTo(DeviceClass.DocumentScanner));
        Assert.That(_kiosk.Session.DocumentToPlace, Is.Null);

        Assert.That((await _kiosk.DoAsync(CheckInStep.DocumentScan)).Result, Is.EqualTo(StepResult.Completed));
        await _kiosk.CompleteRemainingStepsAsync();
        await _kiosk.Session.CommitAsync(CancellationToken.None);
        var (record, body) = (await _kiosk.StoredAsync()).Single(r => r.Record.Kind == Kiosk.Agent.Outbox.RecordKind.CheckIn);
        var step = body["steps"]!.AsArray().Single(s => s!["step"]!.GetValue<string>() == "documentScan")!["detail"]!;
        Assert.That(step["device"]!.GetValue<string>(), Is.EqualTo("documentScanner"));
        Assert.That(record.Attachments.Select(a => a.AttachmentId), Does.Contain("document-1-front"));
    }
}
