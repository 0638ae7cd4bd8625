using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Kiosk.TestSupport;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Kiosk.Bench;

/// <summary>
/// The production agent as its own process (<c>dotnet kiosk-agent.dll</c> of agent/Kiosk.Agent.Host, Release, the real
/// drivers only, none fitted: this machine has no kiosk hardware): time from <see cref="Process.Start()"/> to its birth
/// message on the retained state topic, and its resident memory after it has idled with its local API on.
/// </summary>
internal static class AgentProcessBench
{
    public sealed record Result(TimeSpan Ready, double IdleRssMb);

    public static string AgentDll => Path.Combine(RepositoryPaths.Root, "agent", "Kiosk.Agent.Host", "bin", "Release", "net10.0", "kiosk-agent.dll");

    public static async Task<Result> RunAsync(TimeSpan idle)
    {
        if (!File.Exists(AgentDll))
        {
            throw new FileNotFoundException($"{AgentDll} is missing: build it with 'dotnet build agent/Kiosk.Agent.Host -c Release' (./kiosk.sh bench does)");
        }

        await using var broker = await MosquittoBroker.StartAsync();
        using var data = new TempFolder("kiosk-bench-agent");
        using var subscriber = new MqttClientFactory().CreateMqttClient();
        var birth = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        subscriber.ApplicationMessageReceivedAsync += e =>
        {
            if (IsBirth(e.ApplicationMessage.Payload))
            {
                birth.TrySetResult(Stopwatch.GetTimestamp());
            }

            return Task.CompletedTask;
        };
        await subscriber.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithProtocolVersion(MqttProtocolVersion.V500).Build());
        await subscriber.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("kiosk/v1/bench/k1/state", MqttQualityOfServiceLevel.AtLeastOnce).Build());

        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(AgentDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            AgentDll, "--Kiosk:SiteId=bench", "--Kiosk:KioskId=k1", "--Kiosk:Profile=demo", $"--Kiosk:DataFolder={data.Path}",
            $"--Kiosk:Sync:BrokerPort={broker.Port.ToString(CultureInfo.InvariantCulture)}",
            "--Kiosk:LocalApi:Url=http://127.0.0.1:0",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var started = Stopwatch.GetTimestamp();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        try
        {
            process.OutputDataReceived += (_, e) => Keep(output, e.Data);
            process.ErrorDataReceived += (_, e) => Keep(output, e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            long bornAt;
            try
            {
                bornAt = await birth.Task.WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException)
            {
                throw new InvalidOperationException("the agent sent no birth within 30 s; its last output:" + Environment.NewLine + string.Join(Environment.NewLine, output));
            }

            var ready = Stopwatch.GetElapsedTime(started, bornAt);
            await Task.Delay(idle);
            return new Result(ready, ReadRssMb(process.Id));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            await subscriber.DisconnectAsync();
        }
    }

    private static bool IsBirth(System.Buffers.ReadOnlySequence<byte> payload)
    {
        try
        {
            var reader = new Utf8JsonReader(payload);
            using var document = JsonDocument.ParseValue(ref reader);
            return document.RootElement.TryGetProperty("online", out var online) && online.ValueKind == JsonValueKind.True;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>VmRSS of /proc/PID/status (kB), in MB of 10^6 bytes.</summary>
    private static double ReadRssMb(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kilobytes = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                return kilobytes * 1024 / 1e6;
            }
        }

        throw new InvalidOperationException($"/proc/{pid}/status has no VmRSS line");
    }

    private static void Keep(System.Collections.Concurrent.ConcurrentQueue<string> output, string? line)
    {
        if (line is null)
        {
            return;
        }

        output.Enqueue(line);
        while (output.Count > 40 && output.TryDequeue(out _))
        {
        }
    }
}
