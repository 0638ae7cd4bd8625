using System.Security.Cryptography;

namespace Kiosk.Agent.Control.Configuration;

/// <summary>
/// Replaces (or creates) the platform's settings file so a reader (the agent starting, a power cut) sees the old content or the
/// new, never half: a temporary file in the same folder with the old file's mode, flushed to disk, renamed over it.
/// A link at the path is followed (the link stays). kioskctl has its own, stricter writer for running as root; the agent
/// runs as its service user and writes only what that user may.
/// </summary>
internal static class ConfigFileWriter
{
    /// <exception cref="IOException">The file cannot be written; it is unchanged.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder or file may not be written by the agent's user; it is unchanged.</exception>
    public static void Replace(string path, ReadOnlySpan<byte> content)
    {
        var target = File.Exists(path) ? new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path) : Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(target)!;
        var temporary = Path.Combine(folder, $".{Path.GetFileName(target)}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                // A new file is the service user's, readable by its group (kioskctl as a member of it), like agent.json.
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
            }

            using (var stream = new FileStream(temporary, options))
            {
                if (!OperatingSystem.IsWindows() && File.Exists(target))
                {
                    File.SetUnixFileMode(stream.SafeFileHandle, File.GetUnixFileMode(target));
                }

                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, target, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }
}
