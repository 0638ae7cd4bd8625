using Kiosk.Agent.Configuration;
using System.Net;
using Kiosk.Agent.Hosting;
using Kiosk.Agent.LocalApi;
using Kiosk.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kiosk.Agent.Tests.LocalApi;

/// <summary>The local API has no login: the configuration may only put it on this machine's loopback address.</summary>
public sealed class LocalApiOptionsTests
{
    private static OptionsValidationException StartWith(string url)
    {
        using var folder = new TempFolder("local-api-config");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = folder.Path, Args = [] });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kiosk:SiteId"] = "site-1",
            ["Kiosk:KioskId"] = "kiosk-1",
            ["Kiosk:Profile"] = "demo",
            ["Kiosk:DataFolder"] = folder.Path,
            ["Kiosk:LocalApi:Url"] = url,
        });
        builder.Logging.ClearProviders();
        builder.AddKioskAgent();
        using var host = builder.Build();
        return Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync())!;
    }

    [TestCase("http://0.0.0.0:8780", "0.0.0.0")]
    [TestCase("http://192.168.1.20:8780", "192.168.1.20")]
    [TestCase("http://kiosk-07.office.lan:8780", "kiosk-07.office.lan")]
    [TestCase("http://[::]:8780", "[::]")]
    public void An_address_other_machines_can_reach_is_refused_naming_the_key_and_the_fix(string url, string host)
    {
        var error = StartWith(url);
        Assert.That(error.Failures.ToList(), Has.Count.EqualTo(1), error.Message);
        Assert.That(error.Message, Does.Contain($"Kiosk:LocalApi:Url '{url}' listens on {host}, which other machines can reach")
            .And.Contain("use http://127.0.0.1:PORT"));
    }

    [TestCase("https://127.0.0.1:8780", "plain HTTP")]
    [TestCase("http://127.0.0.1:8780/api", "has a path")]
    [TestCase("127.0.0.1:8780", "is not a URL")]
    [TestCase("", "is not a URL")]
    public void A_url_that_is_not_plain_http_on_an_address_and_port_is_refused(string url, string why)
    {
        var error = StartWith(url);
        Assert.That(error.Message, Does.Contain($"Kiosk:LocalApi:Url '{url}'").And.Contain(why).And.Contain("use http://127.0.0.1:PORT"));
    }

    [TestCase("http://127.0.0.1:8780", "127.0.0.1", 8780)]
    [TestCase("http://localhost:0", "127.0.0.1", 0)]
    [TestCase("http://[::1]:9000", "::1", 9000)]
    [TestCase("http://127.0.0.2:9000", "127.0.0.2", 9000)]
    public void Loopback_addresses_are_accepted(string url, string address, int port)
    {
        Assert.That(LocalApiOptions.TryParse(url, out var endpoint, out var problem), Is.True, problem);
        Assert.That(endpoint, Is.EqualTo(new IPEndPoint(IPAddress.Parse(address), port)));
    }
}
