using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kiosk.Agent.Configuration;
using Kiosk.Agent.Control;
using Kiosk.Agent.Control.Commands;
using Kiosk.Agent.Hosting;
using Kiosk.Agent.Outbox;
using Kiosk.Agent.Tls;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;

namespace Kiosk.Agent.Sync;

/// <summary>
/// Renews this kiosk's TLS client certificate over its own mutual-TLS session (docs/mqtt-contract.md, "Certificate renewal"):
/// a new ECDSA P-256 key made here, a PKCS#10 request signed with it published on <c>csr</c> (the broker's ACL lets
/// only this kiosk's certificate write there, so the platform knows who asks), and the platform's signed answer on
/// <c>cmd/certificate</c> (<see cref="AcceptAsync"/>). The new pair is written next to the old, the connection moves
/// to it, and only once it has connected does it replace the old pair; if it does not connect within
/// <see cref="TlsOptions.RenewalConnectTimeout"/> the agent goes back to the old one and the renewal is reported failed.
/// <para>
/// Automatic: once fewer than <see cref="TlsOptions.RenewBefore"/> are left, a request goes out; one the platform does
/// not answer is sent again after <see cref="TlsOptions.RenewalRetryInterval"/>, doubling up to
/// <see cref="TlsOptions.RenewalRetryMax"/> (<see cref="Plan"/>). The request waiting for an answer (its key, sealed)
/// is kept in control.db, so an answer that arrives after a restart still fits it.
/// </para>
/// Thread safety: one gate serializes requests, answers and the automatic check.
/// </summary>
internal sealed partial class CertificateRenewal : BackgroundService
{
    /// <summary>The control.db document that holds the request waiting for the platform's answer.</summary>
    public const string PendingDocument = "certificate-renewal";

    /// <summary>The command that asks for a renewal; its result is given once the renewal ends.</summary>
    public const string RenewCommand = "renew-certificate";

    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");
    private static readonly TimeSpan LongestSleep = TimeSpan.FromHours(1);

    private readonly BrokerSecurity _security;
    private readonly MqttConnection _connection;
    private readonly ControlStore _control;
    private readonly AgentIdentity _identity;
    private readonly IServiceProvider _services;
    private readonly TimeProvider _time;
    private readonly ILogger<CertificateRenewal> _logger;
    private readonly TlsOptions _tls;
    private readonly string _brokerHost;
    private readonly string _dataFolder;
    private readonly ClientCertificateFiles? _files;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DateTimeOffset? _automaticNotBefore;

    public CertificateRenewal(BrokerSecurity security, MqttConnection connection, ControlStore control, AgentIdentity identity, IOptions<SyncOptions> sync, IOptions<KioskOptions> kiosk, IHostEnvironment environment, IServiceProvider services, TimeProvider time, ILogger<CertificateRenewal> logger)
    {
        _security = security;
        _connection = connection;
        _control = control;
        _identity = identity;
        _services = services;
        _time = time;
        _logger = logger;
        _tls = sync.Value.Tls;
        _brokerHost = sync.Value.BrokerHost;
        _dataFolder = Path.GetFullPath(kiosk.Value.DataFolder, environment.ContentRootPath);
        _files = _tls.Enabled ? new ClientCertificateFiles(Path.GetFullPath(_tls.ClientCertificateFile, _dataFolder), Path.GetFullPath(_tls.ClientKeyFile, _dataFolder)) : null;
        _connection.Connected += _ =>
        {
            Wake();
            return Task.CompletedTask;
        };
    }

    /// <summary>The subject the platform issues to this kiosk: <c>CN=kiosk-{siteId}-{kioskId}</c>.</summary>
    public string CommonName => $"kiosk-{_identity.SiteId}-{_identity.KioskId}";

    /// <summary>Raised when a renewal ends (installed, refused by the platform, or failed and rolled back).</summary>
    public event EventHandler<CommandResult>? Finished;

    /// <summary>What the automatic check does next.</summary>
    internal enum Step
    {
        /// <summary>Nothing due; check again at the time given.</summary>
        Wait,

        /// <summary>Make a new key and request.</summary>
        Request,

        /// <summary>Send the waiting request again (the platform did not answer).</summary>
        Resend,
    }

    /// <summary>The request waiting for the platform: its id, its key (PKCS#8 PEM), when it goes again, and the commands waiting for its end.</summary>
    internal sealed record Pending(string RequestId, string KeyPem, string Reason, int Attempts, DateTimeOffset NextAttemptAt, IReadOnlyList<(string CommandId, DateTimeOffset ReceivedAt)> Waiters);

    /// <summary>
    /// The automatic renewal's decision, a pure function of the clock: with a request waiting, send it again at its
    /// <see cref="Pending.NextAttemptAt"/>; without, request once fewer than <paramref name="renewBefore"/> are left
    /// (never before <paramref name="notBefore"/>, set after a failed renewal). <paramref name="renewBefore"/> zero: off.
    /// </summary>
    internal static (Step Step, DateTimeOffset At) Plan(DateTimeOffset now, DateTimeOffset notAfter, TimeSpan renewBefore, Pending? pending, DateTimeOffset? notBefore)
    {
        if (pending is not null)
        {
            return now >= pending.NextAttemptAt ? (Step.Resend, now) : (Step.Wait, pending.NextAttemptAt);
        }

        if (renewBefore <= TimeSpan.Zero)
        {
            return (Step.Wait, DateTimeOffset.MaxValue);
        }

        var due = notAfter - renewBefore;
        if (notBefore is { } earliest && earliest > due)
        {
            due = earliest;
        }

        return now >= due ? (Step.Request, now) : (Step.Wait, due);
    }

    /// <summary>The wait after the <paramref name="attempts"/>-th unanswered request: the interval, doubled each time, at most <paramref name="max"/>.</summary>
    internal static TimeSpan RetryDelay(int attempts, TimeSpan interval, TimeSpan max)
    {
        var factor = Math.Pow(2, Math.Clamp(attempts - 1, 0, 30));
        return TimeSpan.FromTicks((long)Math.Min(max.Ticks, interval.Ticks * factor));
    }

    /// <summary>
    /// Asks the platform for a new certificate now (<c>cmd/renew-certificate</c>); <paramref name="commandId"/>'s result is
    /// given when the renewal ends. A request already waiting is sent again instead of a second one.
    /// </summary>
    public async Task<string> RequestAsync(string reason, string? commandId, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        if (_security.Tls is null)
        {
            throw new InvalidOperationException("this kiosk does not use mutual TLS (demo profile): it has no certificate to renew");
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var pending = LoadPending() ?? NewPending(reason);
            if (commandId is not null && !pending.Waiters.Any(w => w.CommandId == commandId))
            {
                pending = pending with { Waiters = [.. pending.Waiters, (commandId, receivedAt)] };
            }

            pending = await SendAsync(pending, cancellationToken).ConfigureAwait(false);
            return pending.RequestId;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Takes the platform's answer (<c>cmd/certificate</c>): checks the certificate against the waiting request, swaps it in
    /// and reports. The returned result is <c>cmd/certificate</c>'s; the waiting renew commands get theirs too.
    /// </summary>
    public async Task<CommandResult> AcceptAsync(CertificateReply reply, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reply);
        if (_security.Tls is null || _files is null)
        {
            return CommandResult.Refused("this kiosk does not use mutual TLS (demo profile): it has no certificate to renew");
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var pending = LoadPending();
            if (pending is null || pending.RequestId != reply.RequestId)
            {
                return CommandResult.Refused(pending is null
                    ? $"no certificate request is waiting for an answer (request {reply.RequestId} was answered before, or never sent)"
                    : $"the answer is for request {reply.RequestId}, but request {pending.RequestId} is the one waiting");
            }

            if (reply.Error is { } code)
            {
                var refused = CommandResult.Refused($"the platform refused the certificate request: {code}: {reply.Message}");
                LogRefusedByPlatform(_logger, pending.RequestId, code, reply.Message ?? "");
                await FinishAsync(pending, refused, failed: true, cancellationToken).ConfigureAwait(false);
                return CommandResult.Done("the platform's refusal was taken; the previous certificate stays in use");
            }

            var result = await InstallAsync(pending, reply.CertificatePem!, cancellationToken).ConfigureAwait(false);
            await FinishAsync(pending, result, failed: result.Status != CommandStatus.Done, cancellationToken).ConfigureAwait(false);
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_security.Tls is null)
        {
            return;
        }

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                DateTimeOffset next;
                var wake = _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                await _gate.WaitAsync(stoppingToken).ConfigureAwait(false);
                try
                {
                    next = await CheckAsync(stoppingToken).ConfigureAwait(false);
                }
                finally
                {
                    _gate.Release();
                }

                var sleep = next - _time.GetUtcNow();
                sleep = sleep < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : sleep > LongestSleep ? LongestSleep : sleep;
                try
                {
                    await wake.Task.WaitAsync(sleep, _time, stoppingToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    // Time for the next check.
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>One automatic check; returns when to check again. Called under the gate.</summary>
    private async Task<DateTimeOffset> CheckAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var pending = LoadPending();
        var (step, at) = Plan(now, _security.Tls!.ClientCertificateNotAfter, _tls.RenewBefore, pending, _automaticNotBefore);
        if (step == Step.Wait)
        {
            return at;
        }

        if (!_connection.IsConnected)
        {
            // Sent once connected (a connect wakes this loop).
            return now + LongestSleep;
        }

        if (step == Step.Request)
        {
            var notAfter = OutboxTime.Format(_security.Tls.ClientCertificateNotAfter);
            LogRenewalDue(_logger, notAfter, _tls.RenewBefore.TotalDays);
        }

        pending = await SendAsync(pending ?? NewPending("expiry"), cancellationToken).ConfigureAwait(false);
        return pending.NextAttemptAt;
    }

    private Pending NewPending(string reason)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new Pending(Guid.CreateVersion7(_time.GetUtcNow()).ToString("N"), key.ExportPkcs8PrivateKeyPem(), reason, 0, _time.GetUtcNow(), []);
    }

    /// <summary>Publishes the request (when connected), counts the attempt, schedules the next and saves it all.</summary>
    private async Task<Pending> SendAsync(Pending pending, CancellationToken cancellationToken)
    {
        var attempts = pending.Attempts + 1;
        pending = pending with { Attempts = attempts, NextAttemptAt = _time.GetUtcNow() + RetryDelay(attempts, _tls.RenewalRetryInterval, _tls.RenewalRetryMax) };
        await SavePendingAsync(pending, cancellationToken).ConfigureAwait(false);
        var nextAttemptAt = OutboxTime.Format(pending.NextAttemptAt);
        try
        {
            var result = await _connection.Client.PublishAsync(new MqttApplicationMessageBuilder()
                .WithTopic(_identity.Topics.CertificateRequest)
                .WithPayload(BuildRequest(pending))
                .WithContentType("application/json")
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build(), cancellationToken).ConfigureAwait(false);
            if (result.IsSuccess)
            {
                LogRequested(_logger, pending.RequestId, attempts, pending.Reason, nextAttemptAt);
            }
            else
            {
                var refusal = $"{result.ReasonCode} {result.ReasonString}";
                LogNotSent(_logger, pending.RequestId, refusal, nextAttemptAt);
            }
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or MQTTnet.Exceptions.MqttClientNotConnectedException)
        {
            LogNotSent(_logger, pending.RequestId, ex.Message, nextAttemptAt);
        }

        return pending;
    }

    /// <summary>The <c>csr</c> message (docs/schemas/certificate-request.schema.json).</summary>
    private byte[] BuildRequest(Pending pending)
    {
        using var key = ECDsa.Create();
        key.ImportFromPem(pending.KeyPem);
        var request = new CertificateRequest(new X500DistinguishedName("CN=" + CommonName), key, HashAlgorithmName.SHA256);
        var tls = _security.Tls!;
        return JsonSerializer.SerializeToUtf8Bytes(new JsonObject
        {
            ["requestId"] = pending.RequestId,
            ["csr"] = request.CreateSigningRequestPem() + "\n",
            ["reason"] = pending.Reason,
            ["currentThumbprint"] = tls.ClientCertificateThumbprint,
            ["currentNotAfter"] = OutboxTime.Format(tls.ClientCertificateNotAfter),
        });
    }

    /// <summary>Checks the issued certificate, writes the pair next to the old one, connects with it, and keeps it or goes back.</summary>
    private async Task<CommandResult> InstallAsync(Pending pending, string certificatePem, CancellationToken cancellationToken)
    {
        var old = _security.Tls!;
        using var key = ECDsa.Create();
        key.ImportFromPem(pending.KeyPem);
        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPem(certificatePem);
        }
        catch (CryptographicException ex)
        {
            return CommandResult.Refused("the certificate is not a readable PEM certificate: " + ex.Message);
        }

        using (certificate)
        {
            if (CertificateProblem(certificate, key, CommonName, old.Trust, _time.GetUtcNow()) is { } problem)
            {
                return CommandResult.Refused("the certificate does not fit this kiosk's request: " + problem);
            }
        }

        _files!.WriteNext(certificatePem, pending.KeyPem);
        BrokerTls next;
        try
        {
            next = new BrokerTls(_tls, _brokerHost, _dataFolder, _files.NextCertificateFile, _files.NextKeyFile);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or InvalidDataException)
        {
            _files.DiscardNext();
            return CommandResult.Failed($"the new certificate could not be loaded ({ex.GetType().Name}); the previous one stays in use");
        }

        LogSwapping(_logger, old.ClientCertificateThumbprint, next.ClientCertificateThumbprint);
        _security.Swap(next);
        if (await _connection.ReconnectAsync(_tls.RenewalConnectTimeout, cancellationToken).ConfigureAwait(false))
        {
            _files.Promote();
            var until = OutboxTime.Format(next.ClientCertificateNotAfter);
            LogRenewed(_logger, next.ClientCertificateThumbprint, until);
            return CommandResult.Done($"renewed: the kiosk is connected with certificate {next.ClientCertificateThumbprint}, valid until {OutboxTime.Format(next.ClientCertificateNotAfter)}", new JsonObject
            {
                ["thumbprint"] = next.ClientCertificateThumbprint,
                ["notAfter"] = OutboxTime.Format(next.ClientCertificateNotAfter),
                ["previousThumbprint"] = old.ClientCertificateThumbprint,
                ["requestId"] = pending.RequestId,
            });
        }

        // The new pair did not connect: back to the old one, which the files still hold.
        var why = _connection.LastConnectError ?? "no connection";
        _security.Swap(old);
        _files.DiscardNext();
        LogRolledBack(_logger, next.ClientCertificateThumbprint, _tls.RenewalConnectTimeout.TotalSeconds, why);
        _ = _connection.ReconnectAsync(_tls.RenewalConnectTimeout, CancellationToken.None);
        return CommandResult.Failed($"the new certificate {next.ClientCertificateThumbprint} did not connect within {_tls.RenewalConnectTimeout.TotalSeconds:F0} s ({why}); back on the previous certificate {old.ClientCertificateThumbprint}");
    }

    /// <summary>Why <paramref name="certificate"/> must not replace this kiosk's certificate, or null.</summary>
    internal static string? CertificateProblem(X509Certificate2 certificate, ECDsa key, string commonName, CaBundle trust, DateTimeOffset now)
    {
        using (var publicKey = certificate.GetECDsaPublicKey())
        {
            if (publicKey is null || !publicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
            {
                return "its public key is not the key this kiosk made for the request";
            }
        }

        var names = certificate.SubjectName.EnumerateRelativeDistinguishedNames().ToList();
        if (names is not [var only] || only.HasMultipleElements || only.GetSingleElementType().Value != "2.5.4.3" || only.GetSingleElementValue() != commonName)
        {
            return $"its subject '{certificate.Subject}' is not CN={commonName}";
        }

        if (!certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Any(e => e.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == ClientAuth.Value)))
        {
            return "it is not for TLS client authentication (no clientAuth extended key usage)";
        }

        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        if (now < notBefore || now >= notAfter)
        {
            return $"it is valid from {OutboxTime.Format(notBefore)} to {OutboxTime.Format(notAfter)}, not now ({OutboxTime.Format(now)})";
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trust.Roots);
        chain.ChainPolicy.ExtraStore.AddRange(trust.Intermediates);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        return chain.Build(certificate) ? null : "it does not chain to a CA of Kiosk:Sync:Tls:CaFile";
    }

    /// <summary>Ends the waiting request: forgets it and gives each waiting renew command its result.</summary>
    private async Task FinishAsync(Pending pending, CommandResult result, bool failed, CancellationToken cancellationToken)
    {
        await _control.DeleteDocumentAsync(PendingDocument, cancellationToken).ConfigureAwait(false);
        _automaticNotBefore = failed ? _time.GetUtcNow() + _tls.RenewalRetryInterval : null;
        if (pending.Waiters.Count > 0)
        {
            var processor = _services.GetRequiredService<CommandProcessor>();
            foreach (var (commandId, receivedAt) in pending.Waiters)
            {
                await processor.CommitResultAsync(commandId, RenewCommand, receivedAt, result, cancellationToken).ConfigureAwait(false);
            }
        }

        Finished?.Invoke(this, result);
    }

    private Pending? LoadPending()
    {
        byte[] content;
        try
        {
            if (_control.LoadDocument(PendingDocument) is not { } document)
            {
                return null;
            }

            content = document.Content;
        }
        catch (InvalidDataException)
        {
            return null;
        }

        try
        {
            var node = JsonNode.Parse(content)!.AsObject();
            var waiters = node["waiters"]!.AsArray()
                .Select(w => ((string)w!["commandId"]!, DateTimeOffset.Parse((string)w["receivedAt"]!, System.Globalization.CultureInfo.InvariantCulture)))
                .ToList();
            return new Pending((string)node["requestId"]!, (string)node["keyPem"]!, (string)node["reason"]!, (int)node["attempts"]!, DateTimeOffset.Parse((string)node["nextAttemptAt"]!, System.Globalization.CultureInfo.InvariantCulture), waiters);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or NullReferenceException)
        {
            return null;
        }
    }

    private Task SavePendingAsync(Pending pending, CancellationToken cancellationToken)
    {
        var waiters = new JsonArray();
        foreach (var (commandId, receivedAt) in pending.Waiters)
        {
            waiters.Add(new JsonObject { ["commandId"] = commandId, ["receivedAt"] = OutboxTime.Format(receivedAt) });
        }

        // Sealed with the outbox key by the control store: the key of the request never lies on disk in the clear.
        var json = JsonSerializer.SerializeToUtf8Bytes(new JsonObject
        {
            ["requestId"] = pending.RequestId,
            ["keyPem"] = pending.KeyPem,
            ["reason"] = pending.Reason,
            ["attempts"] = pending.Attempts,
            ["nextAttemptAt"] = OutboxTime.Format(pending.NextAttemptAt),
            ["waiters"] = waiters,
        });
        return _control.SaveDocumentAsync(PendingDocument, pending.Attempts, json, cancellationToken);
    }

    private void Wake() => Volatile.Read(ref _wake).TrySetResult();

    public override void Dispose()
    {
        _gate.Dispose();
        base.Dispose();
    }

    [LoggerMessage(EventId = 2401, Level = LogLevel.Information, Message = "This kiosk's certificate expires at {NotAfter}, within the renewal window of {Days} days: asking the platform for a new one")]
    private static partial void LogRenewalDue(ILogger logger, string notAfter, double days);

    [LoggerMessage(EventId = 2402, Level = LogLevel.Information, Message = "Certificate request {RequestId} sent (attempt {Attempt}, {Reason}); sent again at {NextAttemptAt} if the platform does not answer")]
    private static partial void LogRequested(ILogger logger, string requestId, int attempt, string reason, string nextAttemptAt);

    [LoggerMessage(EventId = 2403, Level = LogLevel.Warning, Message = "Certificate request {RequestId} could not be sent ({Error}); tried again at {NextAttemptAt}")]
    private static partial void LogNotSent(ILogger logger, string requestId, string error, string nextAttemptAt);

    [LoggerMessage(EventId = 2404, Level = LogLevel.Warning, Message = "The platform refused certificate request {RequestId}: {Code}: {Message}")]
    private static partial void LogRefusedByPlatform(ILogger logger, string requestId, string code, string message);

    [LoggerMessage(EventId = 2405, Level = LogLevel.Information, Message = "Moving the broker connection from certificate {Old} to the renewed {New}")]
    private static partial void LogSwapping(ILogger logger, string old, string @new);

    [LoggerMessage(EventId = 2406, Level = LogLevel.Information, Message = "Certificate renewed: connected with {Thumbprint}, valid until {NotAfter}; the previous certificate and key are replaced")]
    private static partial void LogRenewed(ILogger logger, string thumbprint, string notAfter);

    [LoggerMessage(EventId = 2407, Level = LogLevel.Error, Message = "The renewed certificate {Thumbprint} did not connect within {Seconds} s ({Error}); back on the previous certificate")]
    private static partial void LogRolledBack(ILogger logger, string thumbprint, double seconds, string error);
}
