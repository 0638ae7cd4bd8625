namespace Kiosk.Agent.Sync;

/// <summary>
/// The kiosk's certificate and key files (<c>Kiosk:Sync:Tls:ClientCertificateFile</c>, <c>ClientKeyFile</c>) and the
/// renewed pair written next to them (<c>.next</c>) while it is tried. Every file is written whole to a temporary
/// name, flushed to disk and renamed over its target (a rename is atomic on one file system), so a crash leaves the
/// old file or the new one, never half of either; key files are created readable by their owner only.
/// <para>
/// The swap: <see cref="WriteNext"/> (the old pair stays where the configuration names it), the connection tries the
/// next pair, then <see cref="Promote"/> moves the key and then the certificate over the old ones; on failure
/// <see cref="DiscardNext"/>. A stop between the two moves of <see cref="Promote"/> leaves the new key with the old
/// certificate: <see cref="CompleteInterruptedPromotion"/> (run before the pair is loaded at start) moves the new
/// certificate too. A stop before <see cref="Promote"/> leaves the old pair in use and the next pair is dropped (it
/// never connected; the renewal is asked for again).
/// </para>
/// Not thread-safe: certificate renewal is its only writer, one swap at a time.
/// </summary>
internal sealed class ClientCertificateFiles(string certificateFile, string keyFile)
{
    public string CertificateFile { get; } = certificateFile;

    public string KeyFile { get; } = keyFile;

    public string NextCertificateFile => CertificateFile + ".next";

    public string NextKeyFile => KeyFile + ".next";

    /// <summary>Writes the renewed pair next to the current one; the current files are not touched.</summary>
    public void WriteNext(string certificatePem, string keyPem)
    {
        WriteAtomic(NextKeyFile, keyPem, secret: true);
        WriteAtomic(NextCertificateFile, certificatePem, secret: false);
    }

    /// <summary>The renewed pair becomes the configured one: key first, then certificate (see the class remarks).</summary>
    public void Promote()
    {
        if (!File.Exists(NextKeyFile) || !File.Exists(NextCertificateFile))
        {
            throw new InvalidOperationException("there is no renewed certificate and key to put in place");
        }

        File.Move(NextKeyFile, KeyFile, overwrite: true);
        File.Move(NextCertificateFile, CertificateFile, overwrite: true);
    }

    /// <summary>Deletes the renewed pair (it did not connect); the configured pair stays.</summary>
    public void DiscardNext()
    {
        File.Delete(NextKeyFile);
        File.Delete(NextCertificateFile);
    }

    /// <summary>
    /// At start: finishes a <see cref="Promote"/> a stop cut between its two moves (the next key is gone, the next
    /// certificate is still there), or drops a next pair that was never confirmed. True when it finished a promotion.
    /// </summary>
    public bool CompleteInterruptedPromotion()
    {
        var nextKey = File.Exists(NextKeyFile);
        var nextCertificate = File.Exists(NextCertificateFile);
        if (!nextKey && nextCertificate)
        {
            File.Move(NextCertificateFile, CertificateFile, overwrite: true);
            return true;
        }

        if (nextKey)
        {
            DiscardNext();
        }

        return false;
    }

    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/> atomically (temporary file, flush, rename); <paramref name="secret"/> files are owner-only (0600).</summary>
    public static void WriteAtomic(string path, string text, bool secret)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        var temporary = Path.Combine(folder, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = secret
                ? UnixFileMode.UserRead | UnixFileMode.UserWrite
                : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        }

        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                var bytes = System.Text.Encoding.ASCII.GetBytes(text);
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
