using System.Diagnostics;

namespace Kiosk.Ctl.Config;

/// <summary>
/// Replaces a file so that a reader (the agent starting, a power cut) sees the old content or the new, never half:
/// the new bytes go to a temporary file in the same folder, are flushed to disk, get the old file's mode (and, when
/// run as root, its owner), and are renamed over it.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="bytes"/> over <paramref name="path"/> (a symbolic link is followed, so the link stays).</summary>
    /// <returns>Notes about what could not be kept (e.g. the owner).</returns>
    /// <exception cref="ConfigFileException">The folder cannot be written; the message says what to do.</exception>
    public static IReadOnlyList<string> Replace(string path, byte[] bytes)
    {
        var target = new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(target)!;
        var temp = Path.Combine(folder, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        UnixFileMode? mode = OperatingSystem.IsWindows() ? null : File.GetUnixFileMode(target);
        var notes = new List<string>();
        try
        {
            var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                create.UnixCreateMode = mode; // never readable by others, even for the moment before the mode is set
            }

            using (var stream = new FileStream(temp, create))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            if (mode is { } unixMode && !OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temp, unixMode); // the umask may have taken bits away at creation
            }

            if (OperatingSystem.IsLinux() && Environment.IsPrivilegedProcess && !CopyOwner(target, temp))
            {
                notes.Add($"could not give the new {target} its old owner: check it with 'ls -l {target}' (the agent's user must be able to read it).");
            }

            File.Move(temp, target, overwrite: true);
            return notes;
        }
        catch (UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new ConfigFileException($"cannot write {target}: permission denied in {folder}. Run kioskctl with sudo; the file was not changed.");
        }
        catch (IOException ex)
        {
            TryDelete(temp);
            throw new ConfigFileException($"cannot write {target}: {ex.Message}. The file was not changed.");
        }
    }

    /// <summary>chown --reference: .NET has no API for a file's owner.</summary>
    internal static bool CopyOwner(string from, string to)
    {
        try
        {
            using var chown = Process.Start(new ProcessStartInfo("chown", ["--reference=" + from, to]) { UseShellExecute = false, RedirectStandardError = true });
            if (chown is null)
            {
                return false;
            }

            _ = chown.StandardError.ReadToEnd();
            return chown.WaitForExit(TimeSpan.FromSeconds(10)) && chown.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Nothing more to do: the original is untouched, a stray hidden .tmp file is harmless.
        }
    }
}
