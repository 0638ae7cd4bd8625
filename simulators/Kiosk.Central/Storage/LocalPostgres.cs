using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Kiosk.Central.Storage;

/// <summary>
/// A private PostgreSQL cluster for the simulators and their tests: Debian's <c>postgresql</c> package
/// (<c>/usr/lib/postgresql/N/bin</c>), initialised in a folder of its own, listening on a free loopback port only,
/// trust authentication for the one local user (nothing else can reach it), fsync and synchronous commit on as a
/// platform runs it. As root (PostgreSQL refuses to run as root) the cluster belongs to the <c>postgres</c> user and
/// lives in a fresh folder under the temp directory that only it can enter. Dispose stops it and deletes the folder.
/// </summary>
public sealed class LocalPostgres : IAsyncDisposable
{
    private const string User = "platform";
    private readonly string _bin;
    private readonly string _data;
    private readonly string _root;
    private readonly bool _asPostgresUser;
    private readonly TextWriter _log;

    private LocalPostgres(string bin, string root, bool asPostgresUser, int port, TextWriter log)
    {
        _bin = bin;
        _root = root;
        _data = Path.Combine(root, "data");
        _asPostgresUser = asPostgresUser;
        _log = log;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Npgsql connection string of the cluster's <c>postgres</c> database.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username={User};Database=postgres;Pooling=true;Maximum Pool Size=20;Timeout=15;Command Timeout=60";

    /// <summary>The server binaries folder of the newest PostgreSQL Debian has installed, or null.</summary>
    public static string? FindServer() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(b => File.Exists(Path.Combine(b, "initdb")) && File.Exists(Path.Combine(b, "pg_ctl")))
                .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;

    /// <summary>Initialises and starts a cluster; <paramref name="folder"/> holds it unless running as root (see the type).</summary>
    public static async Task<LocalPostgres> StartAsync(string folder, TextWriter? log, CancellationToken ct)
    {
        var bin = FindServer() ?? throw new InvalidOperationException(
            "PostgreSQL's server is not installed (no /usr/lib/postgresql/*/bin/initdb); install it with: apt-get install -y postgresql");
        var asPostgresUser = Environment.UserName == "root";
        string root;
        if (asPostgresUser)
        {
            root = Directory.CreateTempSubdirectory("kiosk-postgres-").FullName;
            await RunAsync("chown", ["postgres:postgres", root], ct);
        }
        else
        {
            root = Path.Combine(Path.GetFullPath(folder), "postgres");
            Directory.CreateDirectory(root);
        }

        var port = FreePort();
        var server = new LocalPostgres(bin, root, asPostgresUser, port, log ?? TextWriter.Null);
        try
        {
            await server.PgAsync("initdb", ["-D", server._data, "-U", User, "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"], ct);
            await server.StartAgainAsync(ct);
            server._log.WriteLine($"postgres: listening on 127.0.0.1:{port} ({root})");
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the server at once (an outage, not a clean shutdown); the data stays for <see cref="StartAgainAsync"/>.</summary>
    public Task StopAsync(CancellationToken ct) => PgAsync("pg_ctl", ["-D", _data, "-m", "immediate", "-w", "stop"], ct);

    /// <summary>Starts the server on its port (also after <see cref="StopAsync"/>); returns once it accepts connections.</summary>
    public Task StartAgainAsync(CancellationToken ct) => PgAsync("pg_ctl", [
        "-D", _data, "-l", Path.Combine(_root, "server.log"), "-w", "-t", "60",
        // Durable as a platform runs it (fsync, synchronous commit); a WAL large enough that a drain does not checkpoint
        // every few seconds.
        "-o", $"-p {Port} -k {_root} -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on -c max_connections=200 "
            + "-c shared_buffers=256MB -c max_wal_size=2GB -c wal_buffers=16MB -c checkpoint_timeout=15min",
        "start"], ct);

    public async ValueTask DisposeAsync()
    {
        if (File.Exists(Path.Combine(_data, "postmaster.pid")))
        {
            try
            {
                await PgAsync("pg_ctl", ["-D", _data, "-m", "fast", "-w", "stop"], CancellationToken.None);
            }
            catch (InvalidOperationException ex)
            {
                _log.WriteLine($"postgres: stopping failed: {ex.Message}");
            }
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // Left behind in the temp folder; nothing depends on it.
        }
    }

    private Task PgAsync(string program, IReadOnlyList<string> arguments, CancellationToken ct) =>
        _asPostgresUser
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, program), .. arguments], ct)
            : RunAsync(Path.Combine(_bin, program), arguments, ct);

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments, CancellationToken ct)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = "/" };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} {string.Join(' ', arguments)} exited with {process.ExitCode}: {(await error).Trim()} {(await output).Trim()}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
