using Kiosk.Agent.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kiosk.Agent.LocalApi;

/// <summary>
/// The installed screen's way in (deploy/README.md, "The screen.url contract"): when the data folder has a <c>screen</c>
/// folder (install.ps1 makes it unless -NoScreen, group kiosk-screen, setgid, so what is written there is the screen user's to
/// read), the agent writes <c>screen/screen.url</c> once its local API listens: one line, the screen's URL with a fresh
/// one-time code, written next to it and renamed over it, mode 0640. It writes a new one whenever the code was used
/// (a restarted browser finds an unused code) and before the code expires. Without that folder (the demo, tests, a kiosk
/// without a screen) it does nothing.
/// </summary>
internal sealed partial class ScreenUrlFile(LocalApiServer server, ScreenAccess access, IOptions<KioskOptions> kiosk, IHostEnvironment environment, TimeProvider time, ILogger<ScreenUrlFile> logger) : BackgroundService
{
    public const string FolderName = "screen";
    public const string FileName = "screen.url";

    /// <summary>A code is replaced this long before it would expire.</summary>
    private static readonly TimeSpan RenewMargin = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var folder = Path.Combine(Path.GetFullPath(kiosk.Value.DataFolder, environment.ContentRootPath), FolderName);
        if (!Directory.Exists(folder) || server.Address is not { } address)
        {
            return;
        }

        var used = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnRedeemed(object? sender, EventArgs e) => Volatile.Read(ref used).TrySetResult();
        access.CodeRedeemed += OnRedeemed;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                Volatile.Write(ref used, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
                Write(Path.Combine(folder, FileName), access.ScreenUrl(address));
                try
                {
                    await Volatile.Read(ref used).Task.WaitAsync(ScreenAccess.CodeLifetime - RenewMargin, time, stoppingToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    // Not used in time: a fresh code before this one expires.
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the file stays; its code dies with this run, and the launcher waits for the next run's file.
        }
        finally
        {
            access.CodeRedeemed -= OnRedeemed;
        }
    }

    private void Write(string path, string url)
    {
        var next = path + ".next";
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
            }

            using (var writer = new StreamWriter(next, System.Text.Encoding.ASCII, options))
            {
                writer.Write(url + "\n");
            }

            File.Move(next, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogNotWritten(logger, path, ex.Message);
        }
    }

    [LoggerMessage(EventId = 5010, Level = LogLevel.Warning, Message = "The screen's URL file {Path} could not be written: {Problem}")]
    private static partial void LogNotWritten(ILogger logger, string path, string problem);
}
