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
        await using (platform)
        {
            platform.RecordStored += (_, e) =>
                output.WriteLine($"stored {e.RecordId} {e.Kind} seq={e.Seq} duplicate={(e.IsDuplicate ? "true" : "false")}");
            try
            {
                await platform.StartAsync(stop.Token);
                output.WriteLine($"central: listening on {options.BrokerHost}:{options.BrokerPort}");
                await Task.Delay(Timeout.InfiniteTimeSpan, stop.Token);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // SIGINT, SIGTERM or the end of stdin: shut down cleanly below.
            }
        }

        output.WriteLine("central: " + JsonSerializer.Serialize(platform.Counts, CountsJson));
        return 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }
}
