using System.Text;
using Kiosk.Agent.Logging;
using Kiosk.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

#pragma warning disable CA1848 // Tests write arbitrary log lines to see what the file keeps.

namespace Kiosk.Agent.Tests.Control;

/// <summary>The agent's rolling log file: bounded in size and number of files, scrubbed, read back by time.</summary>
public sealed class RollingFileLogTests
{
    [Test]
    public void RotationKeepsTheNewestFilesWithinTheirBound()
    {
        using var folder = new TempFolder("rolling-log");
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        using var log = Open(folder, time, maxFileBytes: 64 * 1024, files: 3);
        var logger = log.CreateLogger("Kiosk.Test");
        for (var i = 0; i < 3000; i++)
        {
            logger.LogWarning("line {Number} {Padding}", i, new string('x', 100));
        }

        var files = Directory.GetFiles(log.Folder).Order().ToList();
        Assert.That(files.Select(Path.GetFileName), Is.EqualTo(new[] { "agent.1.log", "agent.2.log", "agent.log" }));
        Assert.That(files.Select(f => new FileInfo(f).Length), Has.All.LessThanOrEqualTo(64 * 1024));
        var (content, lines, truncated) = log.ReadSince(DateTimeOffset.MinValue, 1024 * 1024);
        var text = Encoding.UTF8.GetString(content);
        Assert.That(text, Does.Contain("line 2999 ").And.Not.Contain("line 0 "), "the oldest lines rotated away");
        Assert.That(truncated, Is.False);
        Assert.That(lines, Is.EqualTo(text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length));

        var (bounded, _, cut) = log.ReadSince(DateTimeOffset.MinValue, 10_000);
        Assert.That(bounded.Length, Is.LessThanOrEqualTo(10_000));
        Assert.That(cut, Is.True);
        Assert.That(Encoding.UTF8.GetString(bounded), Does.EndWith("\n").And.Contain("line 2999 "), "the newest are kept");
    }

    [Test]
    public void OnlyTheHoursAskedForAreReadAndPersonalDataNeverReachesTheFile()
    {
        using var folder = new TempFolder("rolling-log-hours");
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        using var log = Open(folder, time, maxFileBytes: 1024 * 1024, files: 2);
        var logger = log.CreateLogger("Kiosk.Test");
        logger.LogWarning("old entry");
        time.Advance(TimeSpan.FromHours(3));
        logger.LogWarning("person 110101199003077777 mobile 13912345678 mail a.b@example.cn");
        logger.LogError(new InvalidOperationException("secret text of the exception"), "failed with Bearer abc.def.ghi and password: hunter2");

        var (content, lines, _) = log.ReadSince(time.GetUtcNow() - TimeSpan.FromHours(1), 1024 * 1024);
        var text = Encoding.UTF8.GetString(content);

        Assert.That(lines, Is.EqualTo(2));
        Assert.That(text, Does.Not.Contain("old entry"));
        var onDisk = File.ReadAllText(Path.Combine(log.Folder, RollingFileLog.FileName));
        foreach (var secret in new[] { "110101199003077777", "13912345678", "a.b@example.cn", "abc.def.ghi", "hunter2", "secret text" })
        {
            Assert.That(onDisk, Does.Not.Contain(secret));
        }

        Assert.That(onDisk, Does.Contain("[InvalidOperationException]"), "an exception by its type only");
    }

    private static RollingFileLog Open(TempFolder folder, TimeProvider time, long maxFileBytes, int files)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kiosk:DataFolder"] = folder.File("data"),
            ["Kiosk:LogFile:MaxFileBytes"] = maxFileBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Kiosk:LogFile:Files"] = files.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }).Build();
        var log = new RollingFileLog(configuration, new HostingEnvironment { ContentRootPath = folder.File("root") }, time);
        log.Open();
        return log;
    }

    [Test]
    public void Nothing_is_written_before_the_host_has_started_and_what_came_before_is_written_once_it_has()
    {
        using var folder = new TempFolder("rolling-log-early");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Kiosk:DataFolder"] = folder.File("data") }).Build();
        using var log = new RollingFileLog(configuration, new HostingEnvironment { ContentRootPath = folder.File("root") }, TimeProvider.System);
        log.CreateLogger("Start").LogWarning("during start");
        Assert.That(Directory.Exists(log.Folder), Is.False, "an agent that never starts (a configuration mistake) leaves no log folder");

        log.Open();
        log.CreateLogger("Run").LogWarning("after start");
        var onDisk = File.ReadAllText(Path.Combine(log.Folder, RollingFileLog.FileName));
        Assert.That(onDisk.IndexOf("during start", StringComparison.Ordinal), Is.GreaterThanOrEqualTo(0).And.LessThan(onDisk.IndexOf("after start", StringComparison.Ordinal)));
    }
}
