using Microsoft.Win32.SafeHandles;

namespace Kiosk.Ctl.Files;

/// <summary>
/// A folder kioskctl writes into, held open. On Linux it is a descriptor reached from <c>/</c> one name at a time with
/// O_NOFOLLOW, and every file is created (O_CREAT|O_EXCL|O_NOFOLLOW), renamed and removed relative to it: a link or
/// folder someone swaps into the path afterwards is never followed. Elsewhere (Windows) it is the path.
/// Not thread-safe: one command uses it from one thread.
/// </summary>
internal sealed class FolderHandle : IDisposable
{
    /// <summary>What <see cref="Directory.CreateDirectory(string)"/> asks for; the umask takes bits away.</summary>
    public const UnixFileMode AnyoneMayEnter = (UnixFileMode)0x1FF;

    private readonly int _descriptor;

    private FolderHandle(string path, int descriptor)
    {
        Path = path;
        _descriptor = descriptor;
    }

    public string Path { get; }

    /// <summary>
    /// Opens the folder at <paramref name="resolvedPath"/>, which <see cref="TrustedPath.Resolve"/> made: no link is followed
    /// on the way now, so a link found here appeared since and is refused. Folders that are missing are made with
    /// <paramref name="createMode"/>, or, when it is null, the folder must exist.
    /// </summary>
    /// <exception cref="UntrustedLinkException">A name on the way is a symbolic link.</exception>
    /// <exception cref="IOException">A name on the way is not a folder, is missing, or cannot be opened.</exception>
    public static FolderHandle Open(string resolvedPath, UnixFileMode? createMode)
    {
        if (!OperatingSystem.IsLinux())
        {
            if (createMode is not null)
            {
                Directory.CreateDirectory(resolvedPath);
            }

            return Directory.Exists(resolvedPath) ? new FolderHandle(resolvedPath, -1) : throw new DirectoryNotFoundException($"{resolvedPath} does not exist");
        }

        var descriptor = Libc.open("/", Libc.ReadOnly | Libc.Folder | Libc.CloseOnExec, 0);
        if (descriptor < 0)
        {
            throw Libc.Fail("cannot open /");
        }

        var path = "/";
        try
        {
            foreach (var name in resolvedPath.Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                var child = OpenChild(descriptor, path, name, createMode);
                _ = Libc.close(descriptor);
                descriptor = child;
                path = System.IO.Path.Join(path, name);
            }
        }
        catch
        {
            _ = Libc.close(descriptor);
            throw;
        }

        return new FolderHandle(path, descriptor);
    }

    /// <summary>The folder <paramref name="name"/> in this one, made with <paramref name="createMode"/> when missing; a link there is refused.</summary>
    public FolderHandle Folder(string name, UnixFileMode createMode)
    {
        CheckName(name);
        var path = System.IO.Path.Join(Path, name);
        if (_descriptor < 0)
        {
            Directory.CreateDirectory(path);
            return new FolderHandle(path, -1);
        }

        return new FolderHandle(path, OpenChild(_descriptor, Path, name, createMode));
    }

    /// <summary>Creates <paramref name="name"/> for writing with <paramref name="mode"/>; it must not exist, not even as a link.</summary>
    /// <exception cref="IOException">It exists (<see cref="Libc.ErrorExists"/> in HResult on Linux), or cannot be made.</exception>
    public SafeFileHandle CreateFile(string name, UnixFileMode mode)
    {
        CheckName(name);
        var path = System.IO.Path.Join(Path, name);
        if (_descriptor < 0)
        {
            return File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        }

        var file = Libc.openat(_descriptor, name, Libc.WriteOnly | Libc.Create | Libc.Exclusive | Libc.NoFollow | Libc.CloseOnExec, (uint)mode);
        return file >= 0 ? new SafeFileHandle(file, ownsHandle: true) : throw Libc.Fail($"cannot create {path}");
    }

    /// <summary>Renames <paramref name="from"/> over <paramref name="to"/> in this folder: whatever <paramref name="to"/> was, a link included, is replaced, never written through.</summary>
    public void Rename(string from, string to)
    {
        CheckName(from);
        CheckName(to);
        if (_descriptor < 0)
        {
            File.Move(System.IO.Path.Join(Path, from), System.IO.Path.Join(Path, to), overwrite: true);
        }
        else if (Libc.renameat(_descriptor, from, _descriptor, to) != 0)
        {
            throw Libc.Fail($"cannot rename {System.IO.Path.Join(Path, from)} to {to}");
        }
    }

    /// <summary>Removes the name <paramref name="name"/> (a link itself, never its target); false when it cannot.</summary>
    public bool TryDelete(string name)
    {
        CheckName(name);
        if (_descriptor >= 0)
        {
            return Libc.unlinkat(_descriptor, name, 0) == 0;
        }

        try
        {
            File.Delete(System.IO.Path.Join(Path, name));
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>What this folder is: its owner, group and mode (Linux only).</summary>
    public Libc.Status Status() =>
        Libc.StatusOf(Descriptor(), "", Path) ?? throw new DirectoryNotFoundException($"{Path} was removed while kioskctl wrote to it");

    /// <summary>What the name <paramref name="name"/> in this folder is, without following a link; null when it does not exist (Linux only).</summary>
    public Libc.Status? Entry(string name)
    {
        CheckName(name);
        return Libc.StatusOf(Descriptor(), name, System.IO.Path.Join(Path, name));
    }

    /// <summary>Whether the name exists, as anything (a link included).</summary>
    public bool Exists(string name)
    {
        if (_descriptor >= 0)
        {
            return Entry(name) is not null;
        }

        var path = System.IO.Path.Join(Path, name);
        return File.Exists(path) || Directory.Exists(path);
    }

    /// <summary>Makes the renames in this folder durable (fsync of the folder): a power cut after it keeps the new file.</summary>
    public void Flush()
    {
        if (_descriptor >= 0 && Libc.fsync(_descriptor) != 0)
        {
            throw Libc.Fail($"cannot flush {Path}");
        }
    }

    public void Dispose()
    {
        if (_descriptor >= 0)
        {
            _ = Libc.close(_descriptor);
        }
    }

    private static int OpenChild(int parent, string parentPath, string name, UnixFileMode? createMode)
    {
        var path = System.IO.Path.Join(parentPath, name);
        for (var attempt = 0; ; attempt++)
        {
            var child = Libc.openat(parent, name, Libc.ReadOnly | Libc.Folder | Libc.NoFollow | Libc.CloseOnExec, 0);
            if (child >= 0)
            {
                return child;
            }

            // O_NOFOLLOW|O_DIRECTORY on a link fails with ELOOP, or ENOTDIR when the kernel checks the type first.
            var error = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (error == Libc.ErrorLoop || (error == Libc.ErrorNotFolder && Libc.StatusOf(parent, name, path) is { Kind: Libc.FileKind.Link }))
            {
                throw new UntrustedLinkException($"{path} is a symbolic link where kioskctl expects a folder of its own (one may have been put there since kioskctl looked): kioskctl does not follow it, it could lead anywhere; nothing was written through it");
            }

            if (error == Libc.ErrorNotFolder)
            {
                throw new IOException($"{path} is not a folder");
            }

            // A folder that is missing is made; one made by someone else at the same moment is simply opened next time round.
            if (error != Libc.ErrorNoEntry || createMode is not { } mode || attempt > 0)
            {
                throw Libc.Fail(error, $"cannot open the folder {path}");
            }

            if (Libc.mkdirat(parent, name, (uint)mode) != 0 && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() != Libc.ErrorExists)
            {
                throw Libc.Fail($"cannot create the folder {path}");
            }
        }
    }

    /// <summary>One name inside the folder, never a path: a name from data (a record id) must not climb out of it.</summary>
    private static void CheckName(string name)
    {
        if (name.Length == 0 || name is "." or ".." || name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{name}' is not a file name", nameof(name));
        }
    }

    private int Descriptor() => _descriptor >= 0 ? _descriptor : throw new PlatformNotSupportedException("owners and modes are kept on Linux only");
}
