using Kiosk.Devices;
using Kiosk.Devices.IdCardReader;
using Kiosk.TestSupport;

namespace Kiosk.Drivers.Serial.Tests.IdCardReader;

/// <summary>Protocol faults on a real pty line with real time and short timeouts.</summary>
[TestFixture]
[NonParallelizable]
public sealed class SamIdCardReaderSerialTests
{
    private static readonly IdCardReadRequest Request = new() { Timeout = TimeSpan.FromSeconds(20) };
    private SocatPair _pair = null!;
    private SamStandIn _sam = null!;
    private SamIdCardReader _reader = null!;
    private DeviceClaim _claim = null!;
    private readonly List<DeviceStatus> _statuses = [];

    [SetUp]
    public async Task StartAsync()
    {
        _pair = SocatPair.Start();
        _sam = new SamStandIn(_pair.DevicePath);
        var options = new SamIdCardReaderOptions { PortName = _pair.KioskPath, ResponseTimeout = TimeSpan.FromSeconds(1) };
        _reader = new SamIdCardReader("idCardReader", options, TimeProvider.System);
        _statuses.Clear();
        _reader.StatusChanged += (_, e) => _statuses.Add(e.Current);
        Assert.That((await _reader.OpenAsync(CancellationToken.None)).IsSuccess, Is.True);
        _claim = (await _reader.ClaimAsync("test", TimeSpan.FromSeconds(1), CancellationToken.None)).Value!;
    }

    [TearDown]
    public async Task StopAsync()
    {
        _claim.Dispose();
        await _reader.DisposeAsync();
        _sam.Dispose();
        _pair.Dispose();
    }

    private Task<DeviceResult<IdCardData>> ReadAsync() => _reader.ReadCardAsync(_claim, Request, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

    [Test]
    public async Task Reads_every_field_and_keeps_the_photo_as_delivered()
    {
        var result = await ReadAsync();
        Assert.That(result.Code, Is.EqualTo(CompletionCode.Success), result.ToString());
        var card = result.Value!;
        var expected = TestPeople.Card;
        Assert.That((card.Name, card.SexCode, card.EthnicityCode, card.BirthDate, card.Address), Is.EqualTo((expected.Name, expected.SexCode, expected.EthnicityCode, expected.BirthDate, expected.Address)));
        Assert.That((card.IdNumber, card.IssuingAuthority, card.ValidFrom, card.ValidUntil), Is.EqualTo((expected.IdNumber, expected.IssuingAuthority, expected.ValidFrom, expected.ValidUntil)));
        Assert.That(card.Photo.ToArray(), Is.EqualTo(TestPeople.Photo));
        Assert.That(_sam.Requests, Is.EqualTo(new[] { SamStandIn.Find, SamStandIn.Select, SamStandIn.Read }));
    }

    [Test]
    public async Task A_long_term_card_has_no_end_of_validity()
    {
        _sam.Card = TestPeople.Card with { ValidUntil = null };
        var result = await ReadAsync();
        Assert.That(result.Code, Is.EqualTo(CompletionCode.Success), result.ToString());
        Assert.That(result.Value!.ValidUntil, Is.Null);
    }

    [Test]
    public async Task Garbage_before_the_preamble_is_skipped()
    {
        _sam.Fault = SamFault.GarbageBeforePreamble;
        var result = await ReadAsync();
        Assert.That(result.Code, Is.EqualTo(CompletionCode.Success), result.ToString());
    }

    [Test]
    public async Task One_bad_checksum_is_retried_once()
    {
        _sam.Once(SamFault.BadChecksum);
        var result = await ReadAsync();
        Assert.That(result.Code, Is.EqualTo(CompletionCode.Success), result.ToString());
        Assert.That(_sam.Requests.Count(r => r == SamStandIn.Find), Is.EqualTo(2), "the find was sent again");
    }

    [Test]
    public async Task Bad_checksums_every_time_are_invalid_data()
    {
        _sam.Fault = SamFault.BadChecksum;
        var result = await ReadAsync();
        Assert.That(result.Code, Is.EqualTo(CompletionCode.InvalidData), result.ToString());
    }

    [Test]
    public async Task A_truncated_frame_is_a_timeout()
    {
        _sam.Fault = SamFault.Truncated;
        var result = await ReadAsync();
        Assert.That(result.Code, Is.EqualTo(CompletionCode.Timeout), result.ToString());
    }

    [Test]
    public async Task Silence_is_a_timeout()
    {
        _sam.Fault = SamFault.Silent;
        var result = await ReadAsync();
        Assert.That(result.Code, Is.EqualTo(CompletionCode.Timeout), result.ToString());
    }

    [Test]
    public async Task No_card_is_no_media_with_the_status_word()
    {
        _sam.Fault = SamFault.NoCard;
        var result = await ReadAsync();
        Assert.That(result.Code, Is.EqualTo(CompletionCode.NoMedia), result.ToString());
        Assert.That(result.DeviceError, Is.EqualTo("SW 00 00 80"));
    }

    [Test]
    public async Task A_wrong_check_digit_is_invalid_data()
    {
        _sam.Fault = SamFault.WrongCheckDigit;
        var result = await ReadAsync();
        Assert.That(result.Code, Is.EqualTo(CompletionCode.InvalidData), result.ToString());
        Assert.That(result.Description, Does.Contain("GB 11643"));
    }

    [Test]
    public async Task Pulling_the_cable_mid_read_is_not_ready_and_no_device()
    {
        _sam.Fault = SamFault.SilentOnRead;
        var reading = ReadAsync();
        await _sam.WhenReceived(SamStandIn.Read).WaitAsync(TimeSpan.FromSeconds(10));
        _pair.Unplug();
        var result = await reading;
        Assert.That(result.Code, Is.EqualTo(CompletionCode.DeviceNotReady), result.ToString());
        Assert.That(_reader.Status, Is.EqualTo(DeviceStatus.NoDevice));
    }

    [Test]
    public async Task The_external_health_check_reads_the_sam_id()
    {
        _claim.Dispose();
        var report = await _reader.CheckHealthAsync(HealthCheckLevel.External, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(report.Healthy, Is.True, report.Description);
        Assert.That(_sam.Requests, Does.Contain(SamStandIn.SamId));
    }
}
