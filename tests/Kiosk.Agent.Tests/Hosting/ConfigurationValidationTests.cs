using Kiosk.Agent.Devices;
using Kiosk.Agent.Hosting;
using Kiosk.Devices;
using Kiosk.Simulation;
using Kiosk.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kiosk.Agent.Tests.Hosting;

public sealed class ConfigurationValidationTests
{
    private static async Task<OptionsValidationException> StartWith(Dictionary<string, string?> settings, bool simulated = false)
    {
        using var folder = new TempFolder("config");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = folder.Path, Args = [] });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kiosk:SiteId"] = "site-1",
            ["Kiosk:KioskId"] = "kiosk-1",
            ["Kiosk:Profile"] = "demo",
            ["Kiosk:DataFolder"] = folder.Path,
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.AddKioskAgent();
        builder.Services.AddKioskDrivers(RealDrivers.All);
        if (simulated)
        {
            builder.AddSimulatedKiosk();
        }

        using var host = builder.Build();
        var error = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        return await Task.FromResult(error!);
    }

    [Test]
    public async Task Every_bad_key_is_named_with_its_fix_in_one_message()
    {
        var error = await StartWith(new()
        {
            ["Kiosk:KioskId"] = "kiosk 1/",
            ["Kiosk:Sync:BrokerPort"] = "70000",
            ["Kiosk:Sync:ChunkBytes"] = "100",
            ["Kiosk:Devices:FaceCamera"] = "Webcam9000",
            ["Kiosk:Session:Levels:lenient:0"] = "Face",
        });

        Assert.That(error.Failures.ToList(), Has.Count.EqualTo(5), string.Join("\n", error.Failures));
        Assert.That(error.Message, Does.Contain("Kiosk:KioskId 'kiosk 1/' is not valid")
            .And.Contain("Kiosk:Sync:BrokerPort must be a TCP port")
            .And.Contain("Kiosk:Sync:ChunkBytes must be between 16384 and 262144")
            .And.Contain("Kiosk:Devices:FaceCamera 'Webcam9000' is not a known driver: use one of OpenCv, None")
            .And.Contain("Kiosk:Session:Levels:lenient must start with IdCard"));
    }

    [TestCase("00:00:01")]
    [TestCase("02:00:00")]
    public async Task A_screen_blank_time_outside_its_range_is_named_with_its_range(string value)
    {
        var error = await StartWith(new() { ["Kiosk:Screen:BlankAfter"] = value });
        Assert.That(error.Message, Does.Contain($"Kiosk:Screen:BlankAfter '{value}' must be 00:00:00 (never blank) or from 00:00:05 to 01:00:00"));
    }

    [TestCase("00:00:00")]
    [TestCase("00:20:00")]
    public async Task A_receipt_timeout_outside_its_range_is_named_with_its_range(string value)
    {
        var error = await StartWith(new() { ["Kiosk:Session:ReceiptTimeout"] = value });
        Assert.That(error.Message, Does.Contain($"Kiosk:Session:ReceiptTimeout '{value}' must be from 00:00:01 to 00:10:00"));
    }

    [Test]
    public async Task A_simulated_live_capture_longer_than_a_minute_is_named_with_its_range()
    {
        var error = await StartWith(new() { ["Kiosk:Devices:Simulation:LiveCaptureDuration"] = "00:05:00" }, simulated: true);
        Assert.That(error.Message, Does.Contain("Kiosk:Devices:Simulation: LiveCaptureDuration must be between 00:00:00 and 00:01:00"));
    }

    [Test]
    public async Task The_production_profile_refuses_to_run_without_TLS()
    {
        var error = await StartWith(new() { ["Kiosk:Profile"] = "production" });
        Assert.That(error.Message, Does.Contain("Kiosk:Sync:Tls:Enabled is false").And.Contain("mutual TLS").And.Contain("kioskctl enroll"));
    }

    [Test]
    public async Task The_production_profile_names_missing_certificate_files()
    {
        var error = await StartWith(new() { ["Kiosk:Profile"] = "production", ["Kiosk:Sync:Tls:Enabled"] = "true", ["Kiosk:Sync:Tls:CaFile"] = "ca.pem" });
        Assert.That(error.Message, Does.Contain("Kiosk:Sync:Tls:CaFile 'ca.pem' does not exist")
            .And.Contain("Kiosk:Sync:Tls:ClientCertificateFile is empty")
            .And.Contain("Kiosk:Sync:Tls:ClientKeyFile is empty"));
    }

    [Test]
    public async Task A_missing_identity_says_what_to_set()
    {
        var error = await StartWith(new() { ["Kiosk:SiteId"] = "" });
        Assert.That(error.Message, Does.Contain("Kiosk:SiteId '' is not valid"));
    }

    [Test]
    public async Task The_enrollment_topics_name_is_not_a_site()
    {
        var error = await StartWith(new() { ["Kiosk:SiteId"] = "Provisioning" });
        Assert.That(error.Message, Does.Contain("Kiosk:SiteId 'provisioning' is reserved"));
    }
}
