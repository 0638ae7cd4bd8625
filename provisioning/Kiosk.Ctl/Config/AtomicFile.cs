using System.Security.Cryptography;
using Kiosk.Ctl.Files;
using Microsoft.Win32.SafeHandles;

namespace Kiosk.Ctl.Config;

/// <summary>
/// Writes a file so that a reader (the agent starting, a power cut) sees the old content or the new, never half, and
/// so that kioskctl run as root never writes, chmods or chowns through a link someone else planted (Files/TrustedPath.cs
/// says which links are followed). The path is resolved once; the folder is then held open (Files/FolderHandle.cs)
/// and the new bytes go to a temporary file created in it with O_EXCL and a random name, with the file's mode (so a
/// key is never readable by others, not even for a moment); the mode (the umask may have taken bits away) and, as
/// root, the owner are set on that open file, the bytes are flushed to disk, and the file is renamed over the old one,
/// which replaces a link there instead of following it.
/// </summary>
internal static class AtomicFile
{
    /// <summary>
    /// Writes a file kioskctl makes (the kiosk's key material, the configuration init and enroll write) with
    /// <paramref name="mode"/>; the folder is created if need be. Run as root, the file takes the folder's owner:
    /// kioskctl runs as root, the agent as the service user that install.ps1 made the folder's owner, and a key only
    /// root can read would stop the agent from connecting, so a file that cannot be given that owner is not written.
    /// </summary>
    /// <exception cref="UntrustedLinkException">A link on the way may have been planted (Files/TrustedPath.cs); nothing is written.</exception>
    /// <exception cref="IOException">The file cannot be written or given the folder's owner; <paramref name="path"/> is unchanged.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder cannot be written.</exception>
    public static void WriteOwnedByFolder(string path, ReadOnlySpan<byte> content, UnixFileMode mode)
    {
        var target = TrustedPath.Resolve(path);
        using var folder = FolderHandle.Open(Path.GetDirectoryName(target)!, FolderHandle.AnyoneMayEnter);
        var owner = AsRoot ? folder.Status() : (Libc.Status?)null;
        if (!Write(folder, Path.GetFileName(target), content, mode, owner, ownerRequired: true))
        {
            throw new IOException($"cannot give {target} the owner of {folder.Path} (fchown failed); the agent's service user must be able to read it");
        }
    }

    /// <summary>
    /// Writes <paramref name="bytes"/> over the existing file at <paramref name="path"/> (a link <see cref="Target"/>
    /// follows is followed, so the link stays), keeping its mode and, when run as root, its owner (<c>kioskctl config set</c>).
    /// </summary>
    /// <returns>Notes about what could not be kept (e.g. the owner).</returns>
    /// <exception cref="ConfigFileException">A link that is not followed, or the folder cannot be written; the message says what to do.</exception>
    /// <exception cref="IOException">The file is gone, so its mode cannot be kept.</exception>
    public static IReadOnlyList<string> Replace(string path, byte[] bytes)
    {
        string target;
        try
        {
            target = Target(path);
        }
        catch (IOException ex)
        {
            throw new ConfigFileException($"cannot write {path}: {ex.Message}. The file was not changed.");
        }

        var folderPath = Path.GetDirectoryName(target)!;
        var name = Path.GetFileName(target);
        try
        {
            using var folder = FolderHandle.Open(folderPath, createMode: null);
            Libc.Status? old = null;
            UnixFileMode mode = default;
            if (OperatingSystem.IsLinux())
            {
                old = folder.Entry(name) ?? throw new FileNotFoundException($"{target} is gone", target);
                mode = old.Value.Kind == Libc.FileKind.File
                    ? old.Value.Mode
                    : throw new ConfigFileException($"cannot write {target}: it is not a regular file any more (something else changed it). The file was not changed.");
            }
            else if (!OperatingSystem.IsWindows())
            {
                mode = File.GetUnixFileMode(target);
            }

            return Write(folder, name, bytes, mode, AsRoot ? old : null, ownerRequired: false)
                ? []
                : [$"could not give the new {target} its old owner: check it with 'ls -l {target}' (the agent's user must be able to read it)."];
        }
        catch (FileNotFoundException)
        {
            throw;
        }
        catch (UnauthorizedAccessException)
        {
            throw new ConfigFileException($"cannot write {target}: permission denied in {folderPath}. Run kioskctl with sudo; the file was not changed.");
        }
        catch (IOException ex)
        {
            throw new ConfigFileException($"cannot write {target}: {ex.Message}. The file was not changed.");
        }
    }

    /// <summary>
    /// The file a write to <paramref name="path"/> replaces: where the links on the way lead when each is one
    /// Files/TrustedPath.cs follows (a link the root-owned configuration folder holds), so such a link stays.
    /// </summary>
    /// <exception cref="UntrustedLinkException">A link a folder someone else can change holds (the service user's <c>pki/</c>, a data folder).</exception>
    public static string Target(string path)
    {
        if (OperatingSystem.IsLinux())
        {
            return TrustedPath.Resolve(path);
        }

        return File.Exists(path) ? new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path) : Path.GetFullPath(path);
    }

    private static bool AsRoot => OperatingSystem.IsLinux() && Environment.IsPrivilegedProcess;

    /// <summary>
    /// The temporary file with its mode and <paramref name="owner"/>'s owner and group, then the rename. When the
    /// owner cannot be given: with <paramref name="ownerRequired"/> nothing is written, else the file is written
    /// anyway; both return false. The temporary file never outlives a failure.
    /// </summary>
    private static bool Write(FolderHandle folder, string name, ReadOnlySpan<byte> content, UnixFileMode mode, Libc.Status? owner, bool ownerRequired)
    {
        // Random, and created with O_EXCL: a name planted in advance (a link) makes the write fail, it is never opened.
        var temporary = $".{name}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}.tmp";
        var renamed = false;
        try
        {
            Libc.Status? ours = null;
            var owned = true;
            using (var file = folder.CreateFile(temporary, mode))
            {
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(file, mode);
                }

                if (OperatingSystem.IsLinux())
                {
                    owned = owner is not { } o || Libc.fchown(Descriptor(file), o.Owner, o.Group) == 0;
                    ours = Libc.StatusOf((int)file.DangerousGetHandle(), "", folder.Path);
                }

                if (!owned && ownerRequired)
                {
                    return false;
                }

                RandomAccess.Write(file, content, 0);
                Flush(file);
            }

            // The folder's other writers may have swapped our temporary file for a link of theirs: never rename theirs in.
            Expect(folder, temporary, ours, name);
            folder.Rename(temporary, name);
            renamed = true;
            Expect(folder, name, ours, name);
            folder.Flush();
            return owned;
        }
        finally
        {
            if (!renamed)
            {
                _ = folder.TryDelete(temporary);
            }
        }
    }

    /// <summary>Checks that <paramref name="entry"/> is still the file kioskctl created (Linux).</summary>
    private static void Expect(FolderHandle folder, string entry, Libc.Status? ours, string name)
    {
        if (ours is { } created && (folder.Entry(entry) is not { } now || !now.SameFileAs(created)))
        {
            throw new IOException($"{Path.Join(folder.Path, name)} was replaced while kioskctl wrote it: something else writes to {folder.Path} (check with 'ls -la {folder.Path}'); nothing was written through what it put there");
        }
    }

    private static void Flush(SafeFileHandle file)
    {
        if (OperatingSystem.IsLinux())
        {
            if (Libc.fsync(Descriptor(file)) != 0)
            {
                throw Libc.Fail("cannot flush the new file to disk");
            }

            return;
        }

        using var stream = new FileStream(file, FileAccess.Write);
        stream.Flush(flushToDisk: true);
    }

    private static int Descriptor(SafeFileHandle file) => (int)file.DangerousGetHandle();
}
