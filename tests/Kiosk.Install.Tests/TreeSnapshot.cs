using System.Globalization;
using System.Runtime.Versioning;
using System.Security.Cryptography;

namespace Kiosk.Install.Tests;

/// <summary>Everything under a folder, to prove a run changed nothing: each entry's path and kind, its mode, a
/// symlink's target, and for files size, modification time and SHA-256. Symlinks are not followed.</summary>
[SupportedOSPlatform("linux")]
public static class TreeSnapshot
{
    public static List<string> Take(string root)
    {
        var entries = new List<string>();
        Walk(root, new DirectoryInfo(root), entries);
        return entries;
    }

    private static void Walk(string root, DirectoryInfo folder, List<string> entries)
    {
        foreach (var entry in folder.EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            var path = Path.GetRelativePath(root, entry.FullName);
            if (entry.LinkTarget is { } target)
            {
                entries.Add($"{path} -> {target}");
                continue;
            }

            var mode = Convert.ToString((int)File.GetUnixFileMode(entry.FullName), 8);
            if (entry is DirectoryInfo directory)
            {
                entries.Add($"{path}/ {mode}");
                Walk(root, directory, entries);
            }
            else
            {
                var file = (FileInfo)entry;
                var hash = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file.FullName)));
                entries.Add(string.Create(CultureInfo.InvariantCulture, $"{path} {mode} {file.Length} {file.LastWriteTimeUtc.Ticks} {hash}"));
            }
        }
    }
}
