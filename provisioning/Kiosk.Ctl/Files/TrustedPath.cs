namespace Kiosk.Ctl.Files;

/// <summary>
/// Which symbolic links kioskctl follows when it writes (the configuration, <c>pki/</c>, <c>queue export --to</c>).
/// kioskctl runs as root and writes into folders the agent's service user owns (<c>pki/</c>, the data folder): a link
/// that user planted could point anywhere (<c>pki/device.crt -&gt; /etc/shadow</c>). So a link is followed only when
/// the folder holding it can be changed by root (or the user kioskctl runs as) alone: that user owns it and neither
/// its group nor others may write it, or it is a sticky folder such as <c>/tmp</c> and that user owns the link (no
/// one else can replace it there). Any other link on the way, a folder or the file itself, is refused and named.
/// A link the installer's root-owned <c>/etc/kiosk</c> holds (<c>agent.json -&gt; /srv/kiosk/agent.json</c>) is
/// followed; the same link in a folder the service user can write is not.
/// </summary>
internal static class TrustedPath
{
    /// <summary>As many links as the kernel follows in one path (MAXSYMLINKS, linux/include/linux/namei.h).</summary>
    private const int MaxLinks = 40;

    private const UnixFileMode WritableByOthers = UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;

    /// <summary>
    /// The absolute path <paramref name="path"/> names once the links this rule allows are followed: no link is left
    /// in it. <c>..</c> in the path as given is taken away by name, as <see cref="Path.GetFullPath(string)"/> does;
    /// in a link's target it goes up from where the link led. Missing names are kept as they are (they will be made).
    /// Off Linux the full path, unchanged.
    /// </summary>
    /// <exception cref="UntrustedLinkException">A link on the way is held by a folder someone else can change.</exception>
    /// <exception cref="IOException">Too many links (a loop), or a name cannot be looked at.</exception>
    public static string Resolve(string path)
    {
        var full = Path.GetFullPath(path);
        if (!OperatingSystem.IsLinux())
        {
            return full;
        }

        var me = Libc.geteuid();
        var resolved = new List<string>();
        var pending = new Stack<string>();
        Push(pending, full);
        var links = 0;
        while (pending.TryPop(out var name))
        {
            if (name is "" or ".")
            {
                continue;
            }

            if (name == "..")
            {
                if (resolved.Count > 0)
                {
                    resolved.RemoveAt(resolved.Count - 1);
                }

                continue;
            }

            var holder = Join(resolved);
            resolved.Add(name);
            var candidate = Join(resolved);
            if (Libc.StatusOf(Libc.AtFdCwd, candidate, candidate) is not { Kind: Libc.FileKind.Link } link)
            {
                continue;
            }

            resolved.RemoveAt(resolved.Count - 1);
            if (++links > MaxLinks)
            {
                throw new IOException($"{full}: more than {MaxLinks} symbolic links on the way (a loop?)");
            }

            var folder = Libc.StatusOf(Libc.AtFdCwd, holder, holder) ?? throw new IOException($"{holder} was removed while kioskctl looked at it");
            if (Problem(folder, link, me) is { } problem)
            {
                throw new UntrustedLinkException(
                    $"{candidate} is a symbolic link in {holder}, {problem}: kioskctl does not write through it (it could lead anywhere, e.g. to /etc/shadow). "
                    + "Put the file or folder itself there, or give the path it leads to; nothing was written");
            }

            var target = new FileInfo(candidate).LinkTarget ?? throw new IOException($"{candidate} changed while kioskctl looked at it");
            if (target.StartsWith('/'))
            {
                resolved.Clear();
            }

            Push(pending, target);
        }

        return Join(resolved);
    }

    /// <summary>Why a link in <paramref name="folder"/> may have been planted by someone else, or null when only root (or we) could have.</summary>
    private static string? Problem(Libc.Status folder, Libc.Status link, uint me)
    {
        bool Trusted(uint owner) => owner == 0 || owner == me;

        if (Trusted(folder.Owner) && (folder.Mode & WritableByOthers) == 0)
        {
            return null;
        }

        // fs.protected_symlinks' rule: in a sticky folder only the link's owner (or the folder's) can replace the link.
        if ((folder.Mode & UnixFileMode.StickyBit) != 0 && Trusted(link.Owner))
        {
            return null;
        }

        return Trusted(folder.Owner)
            ? "a folder its group or others can write"
            : $"a folder user {folder.Owner} owns (the agent's service user, or someone else who is not root)";
    }

    private static void Push(Stack<string> pending, string path)
    {
        var names = path.Split('/');
        for (var i = names.Length - 1; i >= 0; i--)
        {
            pending.Push(names[i]);
        }
    }

    private static string Join(List<string> names) => "/" + string.Join('/', names);
}
