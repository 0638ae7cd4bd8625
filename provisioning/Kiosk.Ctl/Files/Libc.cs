using System.Runtime.InteropServices;

namespace Kiosk.Ctl.Files;

/// <summary>
/// The few Linux calls .NET has no API for: opening and creating relative to an open folder without following
/// links (openat, mkdirat, renameat), the owner of a file (statx, fchown) and flushing a folder (fsync). Only called
/// when <see cref="OperatingSystem.IsLinux"/>; every call returns -1 and sets errno on failure, turned into an
/// <see cref="IOException"/> by <see cref="Fail"/>.
/// </summary>
internal static class Libc
{
    public const int AtFdCwd = -100;
    public const int AtSymlinkNoFollow = 0x100;
    public const int AtEmptyPath = 0x1000;
    public const int ErrorNoEntry = 2;
    public const int ErrorExists = 17;
    public const int ErrorNotFolder = 20;
    public const int ErrorLoop = 40;

    public const int ReadOnly = 0;
    public const int WriteOnly = 1;
    public const int Create = 0x40;
    public const int Exclusive = 0x80;
    public const int CloseOnExec = 0x80000;

    /// <summary>The basic fields of statx: type, mode, links, owner, group, inode, size...</summary>
    private const uint StatxBasicStats = 0x7ff;

    /// <summary>glibc's soname: "libc.so" is a linker script on machines with libc6-dev, and absent without it.</summary>
    private const string Library = "libc.so.6";

    // O_DIRECTORY and O_NOFOLLOW are the only flags used here whose values differ between architectures: the asm-generic
    // values (x86-64, RISC-V) against arm's and arm64's (linux/include/uapi/asm-generic/fcntl.h, arch/arm64/include/uapi/asm/fcntl.h).
    private static readonly bool ArmFlags = RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64;

    public static int Folder => ArmFlags ? 0x4000 : 0x10000;

    public static int NoFollow => ArmFlags ? 0x8000 : 0x20000;

    /// <summary>What statx says about one file or folder (offsets of struct statx in linux/include/uapi/linux/stat.h, the same on every architecture).</summary>
    public readonly record struct Status(uint Owner, uint Group, UnixFileMode Mode, FileKind Kind, ulong Inode, uint DeviceMajor, uint DeviceMinor)
    {
        public bool SameFileAs(Status other) => Inode == other.Inode && DeviceMajor == other.DeviceMajor && DeviceMinor == other.DeviceMinor;
    }

    public enum FileKind
    {
        Other,
        File,
        Folder,
        Link,
    }

    /// <summary>statx of <paramref name="name"/> in folder <paramref name="folder"/> (a descriptor, or <see cref="AtFdCwd"/> with an absolute path), never following a link; null when it does not exist.</summary>
    public static Status? StatusOf(int folder, string name, string displayPath)
    {
        var buffer = new byte[256];
        if (statx(folder, name, AtSymlinkNoFollow | (name.Length == 0 ? AtEmptyPath : 0), StatxBasicStats, buffer) == 0)
        {
            return Read(buffer);
        }

        var error = Marshal.GetLastPInvokeError();
        return error is ErrorNoEntry or ErrorNotFolder ? null : throw Fail(error, $"cannot look at {displayPath}");
    }

    /// <summary>An <see cref="IOException"/> naming what failed and the system's reason.</summary>
    public static IOException Fail(int error, string what) => new($"{what}: {Marshal.GetPInvokeErrorMessage(error)}") { HResult = error };

    public static IOException Fail(string what) => Fail(Marshal.GetLastPInvokeError(), what);

    private static Status Read(byte[] b)
    {
        var mode = BitConverter.ToUInt16(b, 28);
        var kind = (mode & 0xF000) switch
        {
            0x8000 => FileKind.File,
            0x4000 => FileKind.Folder,
            0xA000 => FileKind.Link,
            _ => FileKind.Other,
        };
        return new Status(BitConverter.ToUInt32(b, 20), BitConverter.ToUInt32(b, 24), (UnixFileMode)(mode & 0xFFF), kind, BitConverter.ToUInt64(b, 32), BitConverter.ToUInt32(b, 136), BitConverter.ToUInt32(b, 140));
    }

    [DllImport(Library, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mode);

    [DllImport(Library, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int openat(int folder, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, int flags, uint mode);

    [DllImport(Library, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int mkdirat(int folder, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, uint mode);

    [DllImport(Library, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int renameat(int fromFolder, [MarshalAs(UnmanagedType.LPUTF8Str)] string from, int toFolder, [MarshalAs(UnmanagedType.LPUTF8Str)] string to);

    [DllImport(Library, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int unlinkat(int folder, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, int flags);

    [DllImport(Library, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int fchown(int descriptor, uint owner, uint group);

    [DllImport(Library, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int fsync(int descriptor);

    [DllImport(Library, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int close(int descriptor);

    [DllImport(Library)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern uint geteuid();

    [DllImport(Library, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int statx(int folder, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, int flags, uint mask, [Out] byte[] buffer);
}
