using Kiosk.Devices;
using Kiosk.Devices.DocumentImaging;
using Microsoft.Extensions.Time.Testing;

namespace Kiosk.Drivers.DocumentImaging.Tests.DocumentScanner;

[Explicit]
public sealed class StressTmp
{
    [Test]
    public async Task Jam100()
    {
        var hung = 0;
        for (var i = 0; i < 150; i++)
        {
            using var server = new FakeEsclScanner();
            var time = new FakeTimeProvider();
            await using var scanner = new EsclScanner("s", new EsclScannerOptions { BaseUri = server.BaseUri, RequestTimeout = TimeSpan.FromMinutes(5) }, time);
            await scanner.OpenAsync(CancellationToken.None);
            server.Next = i % 2 == 0 ? EsclScript.Jam : EsclScript.Normal;
            using var claim = (await scanner.ClaimAsync("t", TimeSpan.FromSeconds(1), CancellationToken.None)).Value!;
            var task = scanner.ScanAsync(claim, new ScanRequest(), CancellationToken.None);
            if (await Task.WhenAny(task, Task.Delay(3000)) != task)
            {
                hung++;
                TestContext.Out.WriteLine($"hung {i}: {string.Join(", ", server.Requests)}");
            }
        }

        TestContext.Out.WriteLine($"hung {hung}");
    }
}
