using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Kiosk.Central.Provisioning;
using Kiosk.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace Kiosk.Central.Tests.Provisioning;

/// <summary>The platform's clock in provisioning: token expiry on the platform's clock, and the time answer with <see cref="CentralOptions.ClockOffset"/>.</summary>
[TestFixture]
[NonParallelizable]
public sealed class PlatformClockTests
{
    private const string Site = "site-clock";

    /// <summary>
    /// The platform clock for the whole fixture, and the clock the platform's CA and the broker's certificate are made on:
    /// taken once from the real clock (Mosquitto and the TLS client check the broker's certificate on the real clock, so the
    /// PKI must be valid on it too), then moved only by the test.
    /// </summary>
    private DateTimeOffset _start;

    private TempFolder _folder = null!;
    private SimulatorPkiFiles _pki = null!;
    private MosquittoBroker _broker = null!;
    private FakeTimeProvider _time = null!;
    private CentralPlatform _central = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _folder = new TempFolder("central-clock");
        var now = DateTimeOffset.UtcNow;
        _start = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, 123, TimeSpan.Zero);
        _time = new FakeTimeProvider(_start);
        _pki = SimulatorPki.Create(Path.Combine(_folder.Path, "pki"), _time);
        _broker = await MosquittoBroker.StartWithTlsAsync(_pki.CaCertificateFile, _pki.BrokerCertificateFile, _pki.BrokerKeyFile);
        _central = new CentralPlatform(
            new CentralOptions
            {
                BrokerHost = MosquittoBroker.Host,
                BrokerPort = _broker.Port,
                DatabasePath = _folder.File("central.db"),
                ClientId = "central-clock-" + Guid.NewGuid().ToString("N"),
                ClockOffset = TimeSpan.FromMinutes(10),
                Provisioning = new ProvisioningOptions { CaCertificateFile = _pki.CaCertificateFile, CaKeyFile = _pki.CaKeyFile, CommandSigningKeyFile = _pki.CommandSigningKeyFile },
            },
            _time);
        using var timeout = new CancellationTokenSource(ProvisioningClient.Patience);
        await _central.StartAsync(timeout.Token);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _central.DisposeAsync();
        await _broker.DisposeAsync();
        _folder.Dispose();
    }

    [Test]
    public async Task A_token_past_its_lifetime_on_the_platform_clock_is_refused_with_tokenExpired()
    {
        var expiring = _central.IssueEnrollmentToken(Site, "k-expired", TimeSpan.FromMinutes(10));
        var lasting = _central.IssueEnrollmentToken(Site, "k-in-time", TimeSpan.FromMinutes(20));
        _time.Advance(TimeSpan.FromMinutes(10));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await using var client = await ProvisioningClient.ConnectAsync(_broker.ProvisioningPort, _pki.CaCertificateFile);

        var expired = await client.EnrollAsync(Site, "k-expired", expiring, KioskRequests.Csr(key, KioskRequests.CommonName(Site, "k-expired")));
        var inTime = await client.EnrollAsync(Site, "k-in-time", lasting, KioskRequests.Csr(key, KioskRequests.CommonName(Site, "k-in-time")));

        Assert.That((string?)expired["error"], Is.EqualTo("tokenExpired"), expired.ToJsonString());
        Assert.That((string?)expired["message"], Does.Contain((_start + TimeSpan.FromMinutes(10)).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)));
        Assert.That(inTime["certificate"], Is.Not.Null, inTime.ToJsonString());
        EnrollmentTests.AssertValid("provisioning-enroll-reply.schema.json", expired);
    }

    [Test]
    public async Task The_time_answer_is_the_platform_clock_plus_the_clock_offset()
    {
        await using var client = await ProvisioningClient.ConnectAsync(_broker.ProvisioningPort, _pki.CaCertificateFile);
        var now = _time.GetUtcNow();

        var reply = JsonNode.Parse(await client.RequestAsync("kiosk/v1/provisioning/time", "kiosk/v1/provisioning/time/reply/" + ProvisioningClient.NewReplyId(), "{}"u8.ToArray()))!;

        Assert.That(DateTimeOffset.Parse((string)reply["platformTime"]!, CultureInfo.InvariantCulture), Is.EqualTo(now + TimeSpan.FromMinutes(10)));
        EnrollmentTests.AssertValid("provisioning-time-reply.schema.json", reply);
        EnrollmentTests.AssertValid("provisioning-time.schema.json", new JsonObject());
    }
}
