using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Kiosk.Central.Tests.Support;
using Kiosk.TestSupport;

namespace Kiosk.Central.Tests;

/// <summary>kiosk-central as its own process: the lines it prints and how it stops.</summary>
[TestFixture]
[NonParallelizable]
public sealed class CentralExecutableTests
{
    private static string Dll => Path.Combine(AppContext.BaseDirectory, "kiosk-central.dll");

    [Test]
    public async Task StoresARecordAndPrintsTheFinalCountsOnSigterm()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        using var folder = new TempFolder("central-exe");
        using var process = Start("--broker", $"127.0.0.1:{broker.Port}", "--db", folder.File("central.db"), "--signing-key", TestPlatformKey.PrivateKeyFile, "--client-id", "central-exe-" + Guid.NewGuid().ToString("N"));
        var lines = Lines(process);
        try
        {
            Assert.That(await NextLineAsync(lines), Is.EqualTo($"central: listening on 127.0.0.1:{broker.Port}"));
            await using var kiosk = await TestKiosk.ConnectAsync(broker.Port, "site-exe");
            var record = Records.New(5);
            await kiosk.PublishRecordsAsync("checkin", record);
            Assert.That(await NextLineAsync(lines), Is.EqualTo($"stored {Records.Id(record)} checkin seq=5 duplicate=false"));
            await kiosk.WaitForAckOfAsync(Records.Id(record));

            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            var last = await NextLineAsync(lines);
            await process.WaitForExitAsync().WaitAsync(TestKiosk.Patience);
            Assert.That(process.ExitCode, Is.Zero);
            Assert.That(last, Does.StartWith("central: {"));
            var counts = JsonNode.Parse(last["central: ".Length..])!;
            Assert.That((long)counts["recordsReceived"]!, Is.EqualTo(1));
            Assert.That((long)counts["recordsStored"]!, Is.EqualTo(1));
            Assert.That((long)counts["acksSent"]!, Is.GreaterThanOrEqualTo(1));
            Assert.That((long)counts["malformedMessages"]!, Is.Zero);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }

    [Test]
    public async Task Push_sends_any_command_signed_and_prints_the_kiosks_result()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        using var folder = new TempFolder("central-push");
        await using var agent = new TestAgent(broker.Port, folder.File("agent"));
        await agent.StartAsync();
        await Eventually.TrueAsync(() => agent.Status.LastConnectedAt is not null, "the agent connects");
        using var process = Start("--broker", $"127.0.0.1:{broker.Port}", "--db", folder.File("central.db"), "--signing-key", TestPlatformKey.PrivateKeyFile,
            "--client-id", "central-push-" + Guid.NewGuid().ToString("N"), "--push", "site-t/kiosk-t", "--command", "probe");
        var lines = Lines(process);
        var seen = new List<string>();
        try
        {
            while (true)
            {
                var line = await NextLineAsync(lines);
                seen.Add(line);
                if (line.StartsWith("result ", StringComparison.Ordinal))
                {
                    Assert.That(line, Does.StartWith("result probe ").And.Contain(" done: "), string.Join("\n", seen));
                    break;
                }
            }

            await process.WaitForExitAsync().WaitAsync(TestKiosk.Patience);
            Assert.That(process.ExitCode, Is.Zero, string.Join("\n", seen));
            Assert.That(agent.Status.CommandsRun, Is.EqualTo(1));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }

    [TestCase(new[] { "--db", "x.db", "--push", "s/k", "--command", "Probe!" }, "--command 'Probe!' is not a command name")]
    [TestCase(new[] { "--db", "x.db", "--args", "a.json" }, "--args goes with --command NAME")]
    [TestCase(new[] { "--broker", "127.0.0.1:1883" }, "--db is missing")]
    [TestCase(new[] { "--db", "x.db", "--broker", "nohost" }, "--broker 'nohost'")]
    [TestCase(new[] { "--db", "x.db", "--verbose" }, "unknown argument '--verbose'")]
    public async Task BadArgumentsExitWithCode2NamingTheArgument(string[] args, string expected)
    {
        using var process = Start(args);
        var error = await process.StandardError.ReadToEndAsync().WaitAsync(TestKiosk.Patience);
        await process.WaitForExitAsync().WaitAsync(TestKiosk.Patience);

        Assert.That(process.ExitCode, Is.EqualTo(2));
        Assert.That(error, Does.Contain(expected).And.Contain("usage: kiosk-central"));
    }

    private static Process Start(params string[] args)
    {
        Assert.That(File.Exists(Dll), Is.True, $"{Dll} is copied next to the tests by the ProjectReference");
        var start = new ProcessStartInfo("dotnet", [Dll, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        return Process.Start(start)!;
    }

    private static ChannelReader<string> Lines(Process process)
    {
        var lines = Channel.CreateUnbounded<string>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                lines.Writer.TryComplete();
            }
            else
            {
                lines.Writer.TryWrite(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) => TestContext.Progress.WriteLine("kiosk-central stderr: " + e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return lines.Reader;
    }

    private static async Task<string> NextLineAsync(ChannelReader<string> lines) =>
        await lines.ReadAsync().AsTask().WaitAsync(TestKiosk.Patience);
}
