namespace Kiosk.Devices.Audio;

/// <summary>
/// Reads 16-bit mono PCM from a capture process's stdout in metering frames until the caller says stop,
/// the byte budget is used up or the process ends; then tells how it ended.
/// </summary>
internal static class PcmCapture
{
    /// <param name="onFrame">Gets each whole frame of PCM; returns true to stop the capture.</param>
    public static async Task<CaptureOutcome> RunAsync(string command, IEnumerable<string> arguments, int frameBytes, long maxBytes, Func<ReadOnlyMemory<byte>, bool> onFrame, CancellationToken cancellationToken)
    {
        using var child = ChildProcess.TryStart(command, arguments, writeInput: false, out var startError);
        if (child is null)
        {
            return new CaptureOutcome([], false, false, -1, startError);
        }

        var stoppedByUs = false;
        using var pcm = new MemoryStream();
        await using (cancellationToken.Register(child.Kill).ConfigureAwait(false))
        {
            var buffer = new byte[Math.Max(frameBytes, 4096)];
            var processed = 0L;
            int read;
            while (!stoppedByUs && (read = await child.Output.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                pcm.Write(buffer, 0, (int)Math.Min(read, maxBytes - pcm.Length));
                while (!stoppedByUs && pcm.Length - processed >= frameBytes)
                {
                    stoppedByUs = onFrame(pcm.GetBuffer().AsMemory((int)processed, frameBytes));
                    processed += frameBytes;
                }

                stoppedByUs |= pcm.Length >= maxBytes;
            }

            if (stoppedByUs)
            {
                child.Kill();
            }

            var (exitCode, standardError) = await child.WaitForExitAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            return new CaptureOutcome(pcm.ToArray(), true, stoppedByUs, exitCode, standardError);
        }
    }
}
