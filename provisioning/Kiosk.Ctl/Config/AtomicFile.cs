using System.Diagnostics;

namespace Kiosk.Ctl.Config;

/// <summary>
/// Writes a file so that a reader (the agent starting, a power cut) sees the old content or the new, never half: the
/// new bytes go to a temporary file in the same folder, created with the file's mode (so a key is never readable by
/// others, not even for a moment), are flushed to disk, get that mode again (the umask may have taken bits away) and,
/// when kioskctl runs as root, an owner; then they are renamed over the file.
/// </summary>
internal static class AtomicFile
{
    /// <summary>
    /// Writes a file kioskctl makes (the kiosk's key material, the configuration init and enroll write) with
    /// <paramref name="mode"/>; the folder is created if need be. Run as root, the file takes the folder's owner:
    /// kioskctl runs as root, the agent as the service user that install.ps1 made the folder's owner, and a key only
    /// root can read would stop the agent from connecting, so a file that cannot be given that owner is not written.
    /// </summary>
    /// <exception cref="IOException">The file cannot be written or given the folder's owner; <paramref name="path"/> is unchanged.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder cannot be written.</exception>
    public static void WriteOwnedByFolder(string path, ReadOnlySpan<byte> content, UnixFileMode mode)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        if (!Write(path, content, mode, ownerFrom: folder, ownerRequired: true))
        {
            throw new IOException($"cannot give {path} the owner of {folder} (chown --reference failed); the agent's service user must be able to read it");
        }
    }

    /// <summary>
    /// Writes <paramref name="bytes"/> over the existing file at <paramref name="path"/> (a symbolic link is followed, so
    /// the link stays), keeping its mode and, when run as root, its owner (<c>kioskctl config set</c>).
    /// </summary>
    /// <returns>Notes about what could not be kept (e.g. the owner).</returns>
    /// <exception cref="ConfigFileException">The folder cannot be written; the message says what to do.</exception>
    /// <exception cref="IOException">The file is gone, so its mode cannot be kept.</exception>
    public static IReadOnlyList<string> Replace(string path, byte[] bytes)
    {
        var target = Target(path);
        var folder = Path.GetDirectoryName(target)!;
        var mode = OperatingSystem.IsWindows() ? default : File.GetUnixFileMode(target);
        try
        {
            return Write(target, bytes, mode, ownerFrom: target, ownerRequired: false)
                ? []
                : [$"could not give the new {target} its old owner: check it with 'ls -l {target}' (the agent's user must be able to read it)."];
        }
        catch (UnauthorizedAccessException)
        {
            throw new ConfigFileException($"cannot write {target}: permission denied in {folder}. Run kioskctl with sudo; the file was not changed.");
        }
        catch (IOException ex)
        {
            throw new ConfigFileException($"cannot write {target}: {ex.Message}. The file was not changed.");
        }
    }

    /// <summary>The file a write to <paramref name="path"/> replaces: the final target of a symbolic link, so the link stays.</summary>
    public static string Target(string path) =>
        File.Exists(path) ? new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path) : Path.GetFullPath(path);

    /// <summary>
    /// The temporary file, its mode and (as root) the owner of <paramref name="ownerFrom"/>, then the rename. When the
    /// owner cannot be given: with <paramref name="ownerRequired"/> nothing is written, else the file is written anyway;
    /// both return false. The temporary file never outlives a failure.
    /// </summary>
    private static bool Write(string path, ReadOnlySpan<byte> content, UnixFileMode mode, string ownerFrom, bool ownerRequired)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }

        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            var owned = true;
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, mode);
                owned = !Environment.IsPrivilegedProcess || CopyOwner(ownerFrom, temporary);
            }

            if (!owned && ownerRequired)
            {
                TryDelete(temporary);
                return false;
            }

            File.Move(temporary, path, overwrite: true);
            return owned;
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>chown --reference: .NET has no API for a file's owner.</summary>
    private static bool CopyOwner(string from, string to)
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
