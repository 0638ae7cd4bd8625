using Kiosk.Agent.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Kiosk.Agent.Hosting;

/// <summary>Runs an agent host to its end and turns a configuration mistake into exit code 78 with every problem named.</summary>
public static class AgentRun
{
    /// <summary>EX_CONFIG: the service unit lists it in RestartPreventExitStatus, so systemd stops retrying a bad configuration.</summary>
    public const int ConfigurationError = 78;

    /// <summary>EX_TEMPFAIL: a resource the agent needs is held by another program (the local API's port); the service manager retries.</summary>
    public const int TemporaryFailure = 75;

    /// <param name="compose">Makes the host's builder; reading the configuration files happens here, so a file that cannot be read is a configuration error too.</param>
    public static async Task<int> RunAsync(Func<HostApplicationBuilder> compose, TextWriter? error = null)
    {
        ArgumentNullException.ThrowIfNull(compose);
        error ??= Console.Error;
        try
        {
            using var host = compose().Build();

            // Taken before the run: RunAsync disposes the host, and its services with it, when it returns.
            var restart = host.Services.GetService(typeof(RestartRequest)) as RestartRequest;
            await host.RunAsync().ConfigureAwait(false);
            if (restart is { Reason: { } reason })
            {
                await error.WriteLineAsync("kiosk-agent: stopped to restart: " + reason).ConfigureAwait(false);
                return TemporaryFailure;
            }

            return 0;
        }
        catch (OptionsValidationException ex)
        {
            await ReportAsync(error, ex.Failures).ConfigureAwait(false);
            return ConfigurationError;
        }
        catch (LocalApi.LocalApiUnavailableException ex)
        {
            await error.WriteLineAsync("kiosk-agent: did not start: " + ex.Message).ConfigureAwait(false);
            return TemporaryFailure;
        }
        catch (InvalidDataException ex) when (ex.Message.StartsWith("Failed to load configuration from file", StringComparison.Ordinal))
        {
            // The JSON provider's words, with the parser's reason (an unclosed brace, text that is not Unicode).
            await ReportAsync(error, [$"{ex.Message} {ex.InnerException?.Message} Fix the file (kioskctl config validate reads it the same way)."]).ConfigureAwait(false);
            return ConfigurationError;
        }
        catch (Exception ex) when (KioskConfigurationCheck.TryDescribeStartFailure(ex, out var message))
        {
            // A value the binder cannot convert stops the host before any validator runs; it is as much a mistake in the file.
            await ReportAsync(error, [message]).ConfigureAwait(false);
            return ConfigurationError;
        }
    }

    private static async Task ReportAsync(TextWriter error, IEnumerable<string> failures)
    {
        // A configuration mistake does not go away by restarting: say what to fix.
        await error.WriteLineAsync("kiosk-agent: the configuration is invalid and the agent did not start:").ConfigureAwait(false);
        foreach (var failure in failures)
        {
            await error.WriteLineAsync("  " + failure).ConfigureAwait(false);
        }

        await error.WriteLineAsync($"Fix the file named by {KioskConfigFile.EnvironmentVariable}, or the platform's settings laid over it ({{DataFolder}}/{PlatformConfig.FileName}; kioskctl config validate shows every problem in the two), then start the agent again.").ConfigureAwait(false);
    }
}
