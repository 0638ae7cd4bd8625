using System.Runtime.InteropServices;
using System.Text.Json;

namespace Kiosk.Central.CommandLine;

/// <summary>Runs the simulator as a process: one line per stored record on stdout, diagnostics on stderr.</summary>
internal static class CentralConsole
{
    private static readonly JsonSerializerOptions CountsJson = new(JsonSerializerDefaults.Web);

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is ["--help"] or ["-h"])
        {
            Console.Out.WriteLine(CentralArguments.Usage);
            return 0;
        }

        var arguments = CentralArguments.Parse(args, out var error);
        if (arguments is null)
        {
            Console.Error.WriteLine($"kiosk-central: {error}");
            Console.Error.WriteLine(CentralArguments.Usage);
            return 2;
        }

        if (arguments.MakePkiFolder is { } pkiFolder)
        {
            var files = Provisioning.SimulatorPki.Create(pkiFolder);
            Console.Out.WriteLine($"central: wrote {files.CaCertificateFile}, {files.CaKeyFile}, {files.CommandSigningKeyFile}, {files.BrokerCertificateFile}, {files.BrokerKeyFile}");
            return 0;
        }

        if (arguments.IssueTokenFor is { } issueFor)
        {
            // Only the database is touched: no broker connection is made.
            await using var issuer = new CentralPlatform(arguments.Options, TimeProvider.System, Console.Error);
            Console.Out.WriteLine(issuer.IssueEnrollmentToken(issueFor.SiteId, issueFor.KioskId, arguments.TokenLifetime));
            return 0;
        }

        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        if (arguments.ExitWhenStdinCloses)
        {
            _ = Task.Run(async () =>
            {
                using var stdin = Console.OpenStandardInput();
                var buffer = new byte[256];
                while (await stdin.ReadAsync(buffer) > 0)
                {
                    // Input is ignored; only its end matters.
                }

                await stop.CancelAsync();
            });
        }

        var output = TextWriter.Synchronized(Console.Out);
        var options = arguments.Options;
        var platform = new CentralPlatform(options, TimeProvider.System, Console.Error);
        var exitCode = arguments.PushTo is null ? 0 : 1;
        await using (platform)
        {
            platform.RecordStored += (_, e) =>
                output.WriteLine($"stored {e.RecordId} {e.Kind} seq={e.Seq} duplicate={(e.IsDuplicate ? "true" : "false")}");
            try
            {
                await platform.StartAsync(stop.Token);
                output.WriteLine($"central: listening on {options.BrokerHost}:{options.BrokerPort}");
                if (arguments.PushTo is { } kiosk)
                {
                    exitCode = await PushAsync(platform, kiosk.SiteId, kiosk.KioskId, arguments.PushFiles, output, stop.Token);
                }
                else
                {
                    await Task.Delay(Timeout.InfiniteTimeSpan, stop.Token);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // SIGINT, SIGTERM or the end of stdin: shut down cleanly below.
            }
        }

        output.WriteLine("central: " + JsonSerializer.Serialize(platform.Counts, CountsJson));
        return exitCode;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }

    /// <summary>
    /// Sends each file's body as its command, one after the other (each waits for the kiosk's result; a command is sent
    /// again whenever the kiosk comes online), prints every result, and answers 0 when all are done.
    /// </summary>
    private static async Task<int> PushAsync(CentralPlatform platform, string siteId, string kioskId, IReadOnlyList<(string Command, string File)> files, TextWriter output, CancellationToken ct)
    {
        foreach (var (command, file) in files)
        {
            System.Text.Json.Nodes.JsonObject body;
            try
            {
                body = file.Length == 0 ? [] : System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(file, ct))?.AsObject() ?? throw new JsonException("null");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException)
            {
                Console.Error.WriteLine($"kiosk-central: {command} {file}: not a JSON object ({ex.GetType().Name}: {ex.Message})");
                return 2;
            }

            body.Remove("commandId");
            output.WriteLine($"central: pushing {command} to {siteId}/{kioskId}; it is sent again whenever the kiosk comes online");
            var result = await platform.PushAsync(siteId, kioskId, command, body, ct);
            output.WriteLine($"result {command} {result.CommandId} {result.Status}: {result.Message}{(result.Detail is null ? "" : " " + result.Detail.ToJsonString())}");
            if (result.Status != "done")
            {
                return 1;
            }
        }

        return 0;
    }
}
