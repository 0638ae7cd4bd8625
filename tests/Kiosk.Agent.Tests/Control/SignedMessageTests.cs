using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Kiosk.Agent.Configuration;
using Kiosk.Agent.Control;
using Kiosk.Agent.Hosting;
using Kiosk.Agent.Outbox;
using Kiosk.Agent.Sync;
using Kiosk.Central.Signing;
using Kiosk.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Kiosk.Agent.Tests.Control;

/// <summary>
/// Every way a platform message can be refused, for commands and for acks: in each case nothing runs and nothing is
/// deleted, the reason is counted, and the agent goes on to accept the next good message. The clock is fixed for the
/// kiosk and the platform alike.
/// </summary>
public sealed class SignedMessageTests
{
    private const string Site = "site";
    private const string Kiosk = "kiosk";
    private static readonly string CommandTopic = $"kiosk/v1/{Site}/{Kiosk}/cmd/count";
    private static readonly string AckTopic = $"kiosk/v1/{Site}/{Kiosk}/ack";

    private TempFolder _folder = null!;
    private FakeTimeProvider _time = null!;
    private PlatformSigner _platform = null!;
    private Rig _rig = null!;

    /// <summary>A command that only counts its runs.</summary>
    private sealed class CountingCommand : ICommandHandler
    {
        public int Runs;

        public string Name => "count";

        public int MaxMessageBytes => 4096;

        public Task<CommandResult> RunAsync(CommandRequest request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Runs);
            return Task.FromResult(CommandResult.Done("counted"));
        }
    }

    /// <summary>The agent's side, over one data folder: opened again to play a restart.</summary>
    private sealed class Rig : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _commandLoop;
        private readonly Task _ackLoop;

        public Rig(string folder, TimeProvider time)
        {
            Outbox = OutboxStore.Open(Path.Combine(folder, "outbox.db"), time);
            Control = ControlStore.Open(Path.Combine(folder, "control.db"), key: null, time);
            Keys = new PlatformKeyRing(Control, TestPlatformKey.PublicKeyFile);
            Verifier = new PlatformMessageVerifier(Keys, Site, Kiosk, time, () => Status.ClockOffset);
            Commands = new CommandProcessor([Counter], Verifier, Control, Outbox, Status, new AgentIdentity(Site, Kiosk, Guid.NewGuid().ToString()), time, NullLogger<CommandProcessor>.Instance);
            InFlight = new InFlightWindow(time);
            Acks = new AckProcessor(Outbox, InFlight, Status, new Topics(Site, Kiosk), new SyncOptions(), Verifier, Control, Challenge, time, NullLogger.Instance);
            _commandLoop = Commands.StartAsync(_stop.Token);
            _ackLoop = Acks.RunAsync(_stop.Token);
        }

        public CountingCommand Counter { get; } = new();

        public ClockChallenge Challenge { get; } = new();

        public SyncStatus Status { get; } = new();

        public OutboxStore Outbox { get; }

        public ControlStore Control { get; }

        public PlatformKeyRing Keys { get; }

        public PlatformMessageVerifier Verifier { get; }

        public CommandProcessor Commands { get; }

        public InFlightWindow InFlight { get; }

        internal AckProcessor Acks { get; }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await Commands.StopAsync(CancellationToken.None);
            try
            {
                await _ackLoop;
            }
            catch (OperationCanceledException)
            {
            }

            Commands.Dispose();
            Keys.Dispose();
            Control.Dispose();
            Outbox.Dispose();
            _stop.Dispose();
            GC.KeepAlive(_commandLoop);
        }
    }

    [SetUp]
    public void SetUp()
    {
        _folder = new TempFolder("signed-messages");
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero));
        _platform = TestPlatformKey.Signer(_time);
        _rig = new Rig(_folder.Path, _time);
    }

    [TearDown]
    public async Task TearDown()
    {
        await _rig.DisposeAsync();
        _platform.Dispose();
        _folder.Dispose();
    }

    private static byte[] Body(string commandId = "c-1") => Encoding.UTF8.GetBytes(new JsonObject { ["commandId"] = commandId }.ToJsonString());

    private byte[] Signed(string? topic = null, string site = Site, string kiosk = Kiosk, string commandId = "c-1", DateTimeOffset? issuedAt = null, TimeSpan? lifetime = null, string? nonce = null, PlatformSigner? signer = null) =>
        (signer ?? _platform).Sign(topic ?? CommandTopic, site, kiosk, Body(commandId), lifetime ?? TimeSpan.FromHours(1), issuedAt, nonce);

    private void Offer(byte[] payload, string? topic = null) => _rig.Commands.Offer(topic ?? CommandTopic, new ReadOnlySequence<byte>(payload));

    /// <summary>Sends a good command after the refused one: once it has run, the refused one had its chance and did not.</summary>
    private async Task AssertRefusedAsync(Refusal reason, int runsBefore = 0, PlatformSigner? goodSigner = null)
    {
        Offer(Signed(commandId: "after-" + Guid.NewGuid().ToString("N")[..8], signer: goodSigner));
        await Eventually.TrueAsync(() => _rig.Counter.Runs == runsBefore + 1, "the good command that followed ran");
        Assert.Multiple(() =>
        {
            Assert.That(_rig.Counter.Runs, Is.EqualTo(runsBefore + 1), "the refused command did not run");
            Assert.That(_rig.Status.Refused(reason), Is.EqualTo(1), $"counted as {reason.WireName()}");
            Assert.That(_rig.Status.RefusedTotal, Is.EqualTo(1), "and under no other reason");
        });
    }

    [Test]
    public async Task A_signed_command_for_this_kiosk_runs_once_and_its_result_goes_into_the_outbox()
    {
        Offer(Signed());
        await Eventually.TrueAsync(() => _rig.Counter.Runs == 1, "the command ran");
        await Eventually.TrueAsync(async () => (await _rig.Outbox.GetTotalsAsync(CancellationToken.None)).Records == 1, "its result is in the outbox");
        var pending = (await _rig.Outbox.ReadPendingAsync(10, new HashSet<long>(), CancellationToken.None)).Records.Single();
        Assert.That(pending.Kind, Is.EqualTo(RecordKind.CommandResult));

        // The platform sends the same command again (new signature, new nonce): it is not run twice.
        Offer(Signed());
        await Eventually.TrueAsync(() => _rig.Status.CommandsRepeated == 1, "the repeat is noticed");
        Assert.That(_rig.Counter.Runs, Is.EqualTo(1));
    }

    [Test]
    public async Task An_unsigned_command_is_refused()
    {
        Offer(Body());
        await AssertRefusedAsync(Refusal.Unsigned);
    }

    [Test]
    public async Task A_command_signed_with_another_key_is_refused()
    {
        using var intruderKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var intruder = new PlatformSigner(intruderKey, _time);
        Offer(Signed(signer: intruder));
        await AssertRefusedAsync(Refusal.WrongKey);
    }

    [Test]
    public async Task A_command_that_claims_the_platforms_key_id_but_is_signed_with_another_is_refused()
    {
        using var intruderKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var intruder = new PlatformSigner(intruderKey, _time);
        var forged = Encoding.UTF8.GetString(Signed(signer: intruder));
        var header = JsonNode.Parse(Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(JsonNode.Parse(forged)!["protected"]!.GetValue<string>())))!;
        header["kid"] = _platform.KeyId;
        var envelope = JsonNode.Parse(forged)!;
        envelope["protected"] = System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header.ToJsonString()));
        Offer(Encoding.UTF8.GetBytes(envelope.ToJsonString()));
        await AssertRefusedAsync(Refusal.BadSignature);
    }

    [Test]
    public async Task A_command_whose_payload_was_changed_after_signing_is_refused()
    {
        var envelope = JsonNode.Parse(Signed())!;
        envelope["payload"] = System.Buffers.Text.Base64Url.EncodeToString(Body("c-other"));
        Offer(Encoding.UTF8.GetBytes(envelope.ToJsonString()));
        await AssertRefusedAsync(Refusal.BadSignature);
    }

    [TestCase("other-site", Kiosk)]
    [TestCase(Site, "other-kiosk")]
    public async Task A_command_signed_for_another_kiosk_is_refused(string site, string kiosk)
    {
        Offer(Signed(site: site, kiosk: kiosk));
        await AssertRefusedAsync(Refusal.WrongKiosk);
    }

    [Test]
    public async Task A_command_signed_for_another_topic_is_refused()
    {
        // Signed as cmd/restart, delivered on cmd/count: the topic is part of what is signed.
        Offer(Signed(topic: $"kiosk/v1/{Site}/{Kiosk}/cmd/restart"));
        await AssertRefusedAsync(Refusal.WrongKiosk);
    }

    [Test]
    public async Task An_expired_command_is_refused()
    {
        Offer(Signed(issuedAt: _time.GetUtcNow() - TimeSpan.FromHours(2), lifetime: TimeSpan.FromHours(1)));
        await AssertRefusedAsync(Refusal.Expired);
    }

    [Test]
    public async Task A_command_issued_in_the_future_is_refused()
    {
        Offer(Signed(issuedAt: _time.GetUtcNow() + PlatformMessageVerifier.ClockTolerance + TimeSpan.FromMinutes(1)));
        await AssertRefusedAsync(Refusal.Future);
    }

    [Test]
    public async Task The_learned_clock_offset_moves_what_counts_as_the_future()
    {
        // The platform's clock is 10 minutes ahead, and the kiosk knows it from an ack: a command issued "now" on the
        // platform is accepted, although it is 10 minutes ahead of the kiosk's own clock.
        _rig.Status.SetClockOffset(TimeSpan.FromMinutes(10));
        Offer(Signed(issuedAt: _time.GetUtcNow() + TimeSpan.FromMinutes(10)));
        await Eventually.TrueAsync(() => _rig.Counter.Runs == 1, "accepted within the learned offset");
        Assert.That(_rig.Status.RefusedTotal, Is.Zero);
    }

    [Test]
    public async Task A_replayed_command_is_refused_even_after_the_agent_restarts()
    {
        var original = Signed(commandId: "c-replay");
        Offer(original);
        await Eventually.TrueAsync(() => _rig.Counter.Runs == 1, "the original ran");

        // Restart: everything reopened from the same files.
        await _rig.DisposeAsync();
        _rig = new Rig(_folder.Path, _time);
        Offer(original);
        await AssertRefusedAsync(Refusal.Replayed);
    }

    [Test]
    public async Task A_truncated_command_is_refused()
    {
        var whole = Signed();
        Offer(whole[..(whole.Length / 2)]);
        await AssertRefusedAsync(Refusal.Malformed);
    }

    [Test]
    public async Task An_oversized_command_is_refused_before_it_is_read()
    {
        var body = Encoding.UTF8.GetBytes(new JsonObject { ["commandId"] = "c-big", ["pad"] = new string('x', 8192) }.ToJsonString());
        Offer(_platform.Sign(CommandTopic, Site, Kiosk, body, TimeSpan.FromHours(1)));
        await AssertRefusedAsync(Refusal.Oversized);
    }

    [Test]
    public async Task A_signed_command_without_a_command_id_is_refused_as_malformed()
    {
        Offer(_platform.Sign(CommandTopic, Site, Kiosk, "{}"u8, TimeSpan.FromHours(1)));
        await AssertRefusedAsync(Refusal.Malformed);
    }

    [Test]
    public async Task A_signed_command_whose_id_is_half_a_surrogate_pair_is_refused_as_malformed()
    {
        Offer(_platform.Sign(CommandTopic, Site, Kiosk, """{"commandId": "\ud800"}"""u8, TimeSpan.FromHours(1)));
        await AssertRefusedAsync(Refusal.Malformed);
    }

    [Test]
    public async Task A_command_this_kiosk_does_not_know_gets_a_refused_result()
    {
        var topic = $"kiosk/v1/{Site}/{Kiosk}/cmd/self-destruct";
        CommandCompletedEventArgs? completed = null;
        _rig.Commands.Completed += (_, e) => completed = e;
        Offer(_platform.Sign(topic, Site, Kiosk, Body("c-unknown"), TimeSpan.FromHours(1)), topic);
        await Eventually.TrueAsync(() => completed is not null, "a result was committed");
        Assert.That(completed!.Result.Status, Is.EqualTo(CommandStatus.Refused));
        Assert.That(completed.Result.Message, Does.Contain("count"), "it names the commands it knows");
    }

    [Test]
    public async Task After_a_rotation_the_next_key_is_accepted_and_the_old_one_only_until_the_overlap_ends()
    {
        var handler = new Kiosk.Agent.Control.Commands.SigningKeyCommand(_rig.Keys, _rig.Verifier);
        using var nextKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var next = new PlatformSigner(nextKey, _time);
        var rotation = _platform.Sign($"kiosk/v1/{Site}/{Kiosk}/cmd/signing-key", Site, Kiosk, Encoding.UTF8.GetBytes(new JsonObject { ["commandId"] = "rotate", ["publicKey"] = next.PublicKeyPem, ["overlapSeconds"] = 3600 }.ToJsonString()), TimeSpan.FromHours(1));
        var refusal = _rig.Verifier.Verify($"kiosk/v1/{Site}/{Kiosk}/cmd/signing-key", new ReadOnlySequence<byte>(rotation), 65536, out var verified, out _);
        Assert.That(refusal, Is.EqualTo(Refusal.None));
        using (var document = System.Text.Json.JsonDocument.Parse(verified!.Payload))
        {
            var result = await handler.RunAsync(new CommandRequest("rotate", "signing-key", document.RootElement, verified), CancellationToken.None);
            Assert.That(result.Status, Is.EqualTo(CommandStatus.Done), result.Message);
        }

        Offer(Signed(commandId: "by-next", signer: next));
        Offer(Signed(commandId: "by-old-in-overlap"));
        await Eventually.TrueAsync(() => _rig.Counter.Runs == 2, "both keys accepted during the overlap");

        _time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        Offer(Signed(commandId: "by-old-after-overlap"));
        await AssertRefusedAsync(Refusal.WrongKey, runsBefore: 2, goodSigner: next);
        Assert.That(_rig.Keys.AcceptedKeyIds(_time.GetUtcNow()), Is.EqualTo(new[] { next.KeyId }));
    }

    [Test]
    public async Task A_rotation_without_overlap_retires_the_old_key_at_once_also_when_the_kiosk_clock_runs_ahead()
    {
        // The kiosk's clock is 30 s ahead of the platform's: retirement counted on the kiosk's clock would leave the
        // old key accepted for another 30 s of platform time.
        _rig.Status.SetClockOffset(TimeSpan.FromSeconds(-30));
        var handler = new Kiosk.Agent.Control.Commands.SigningKeyCommand(_rig.Keys, _rig.Verifier);
        using var nextKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var next = new PlatformSigner(nextKey, _time);
        var rotation = _platform.Sign($"kiosk/v1/{Site}/{Kiosk}/cmd/signing-key", Site, Kiosk, Encoding.UTF8.GetBytes(new JsonObject { ["commandId"] = "rotate", ["publicKey"] = next.PublicKeyPem, ["overlapSeconds"] = 0 }.ToJsonString()), TimeSpan.FromHours(1), issuedAt: _rig.Verifier.PlatformNow);
        Assert.That(_rig.Verifier.Verify($"kiosk/v1/{Site}/{Kiosk}/cmd/signing-key", new ReadOnlySequence<byte>(rotation), 65536, out var verified, out _), Is.EqualTo(Refusal.None));
        using (var document = System.Text.Json.JsonDocument.Parse(verified!.Payload))
        {
            var result = await handler.RunAsync(new CommandRequest("rotate", "signing-key", document.RootElement, verified), CancellationToken.None);
            Assert.That(result.Status, Is.EqualTo(CommandStatus.Done), result.Message);
        }

        Assert.That(_rig.Keys.Find(_platform.KeyId, _rig.Verifier.PlatformNow), Is.Null, "the old key is refused from the moment of the rotation, on the platform's clock");
        Assert.That(_rig.Keys.Find(next.KeyId, _rig.Verifier.PlatformNow), Is.Not.Null);
    }

    [Test]
    public async Task Refused_acks_delete_nothing_and_a_signed_ack_then_does()
    {
        var receipt = await _rig.Outbox.CommitAsync(new NewRecord(RecordKind.CheckIn, new JsonObject { ["n"] = 1 }), CancellationToken.None);
        await _rig.Outbox.MarkSentAsync([receipt.Seq], CancellationToken.None);
        var ack = Encoding.UTF8.GetBytes(new JsonObject { ["recordIds"] = new JsonArray(receipt.RecordId) }.ToJsonString());
        using var intruderKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var intruder = new PlatformSigner(intruderKey, _time);
        var signed = _platform.Sign(AckTopic, Site, Kiosk, ack, TimeSpan.FromMinutes(10));

        var refused = new (byte[] Payload, Refusal Reason)[]
        {
            (ack, Refusal.Unsigned),
            (intruder.Sign(AckTopic, Site, Kiosk, ack, TimeSpan.FromMinutes(10)), Refusal.WrongKey),
            (_platform.Sign(AckTopic, Site, "other-kiosk", ack, TimeSpan.FromMinutes(10)), Refusal.WrongKiosk),
            (_platform.Sign(AckTopic, Site, Kiosk, ack, TimeSpan.FromMinutes(10), issuedAt: _time.GetUtcNow() - TimeSpan.FromHours(1)), Refusal.Expired),
            (_platform.Sign(AckTopic, Site, Kiosk, ack, TimeSpan.FromMinutes(10), issuedAt: _time.GetUtcNow() + TimeSpan.FromHours(1)), Refusal.Future),
            (signed[..^10], Refusal.Malformed),
            (_platform.Sign(AckTopic, Site, Kiosk, Encoding.UTF8.GetBytes(new JsonObject { ["recordIds"] = new JsonArray(receipt.RecordId), ["pad"] = new string('x', AckProcessor.MaxAckBytes) }.ToJsonString()), TimeSpan.FromMinutes(10)), Refusal.Oversized),
        };
        foreach (var (payload, _) in refused)
        {
            _rig.Acks.Offer(new ReadOnlySequence<byte>(payload));
        }

        Assert.Multiple(async () =>
        {
            foreach (var (_, reason) in refused)
            {
                Assert.That(_rig.Status.Refused(reason), Is.EqualTo(1), reason.WireName());
            }

            Assert.That((await _rig.Outbox.GetTotalsAsync(CancellationToken.None)).CheckIns, Is.EqualTo(1), "nothing deleted");
        });

        _rig.Acks.Offer(new ReadOnlySequence<byte>(signed));
        await Eventually.TrueAsync(() => _rig.Status.RecordsAcknowledged == 1, "the platform's ack deletes the record");

        // The same ack again (captured on the broker and replayed): refused, after a restart too.
        await _rig.DisposeAsync();
        _rig = new Rig(_folder.Path, _time);
        _rig.Acks.Offer(new ReadOnlySequence<byte>(signed));
        await Eventually.TrueAsync(() => _rig.Status.Refused(Refusal.Replayed) == 1, "the replay is refused");
    }
    [Test]
    public async Task A_kiosk_clock_hours_off_learns_the_platform_time_from_the_answer_to_its_challenge_only()
    {
        // The platform's clock is 3 hours ahead of the kiosk's: every ack looks issued in the future.
        var platformNow = _time.GetUtcNow() + TimeSpan.FromHours(3);
        var receipt = await _rig.Outbox.CommitAsync(new NewRecord(RecordKind.CheckIn, new JsonObject { ["n"] = 1 }), CancellationToken.None);
        await _rig.Outbox.MarkSentAsync([receipt.Seq], CancellationToken.None);
        byte[] Ack(string? challenge, params string[] ids)
        {
            var body = new JsonObject { ["recordIds"] = new JsonArray([.. ids.Select(id => (JsonNode)id)]), ["platformTime"] = platformNow.ToString("O") };
            if (challenge is not null)
            {
                body["challenge"] = challenge;
            }

            return _platform.Sign(AckTopic, Site, Kiosk, Encoding.UTF8.GetBytes(body.ToJsonString()), TimeSpan.FromMinutes(10), issuedAt: platformNow);
        }

        var challenge = _rig.Challenge.Renew();
        _rig.Acks.Offer(new ReadOnlySequence<byte>(Ack(null, receipt.RecordId)));
        _rig.Acks.Offer(new ReadOnlySequence<byte>(Ack("an-earlier-connections-challenge", receipt.RecordId)));
        Assert.That(_rig.Status.Refused(Refusal.Future), Is.EqualTo(2), "without this connection's challenge the time checks hold");

        _rig.Acks.Offer(new ReadOnlySequence<byte>(Ack(challenge)));
        await Eventually.TrueAsync(() => _rig.Status.ClockOffset is not null, "the answer to the challenge sets the offset");
        Assert.That(_rig.Status.ClockOffset!.Value.TotalHours, Is.EqualTo(3).Within(0.01));

        _rig.Acks.Offer(new ReadOnlySequence<byte>(Ack(null, receipt.RecordId)));
        await Eventually.TrueAsync(() => _rig.Status.RecordsAcknowledged == 1, "an ordinary ack is now on time");
        Assert.That(_rig.Status.Refused(Refusal.Future), Is.EqualTo(2));
    }
}
