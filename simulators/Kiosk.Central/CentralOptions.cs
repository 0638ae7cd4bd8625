namespace Kiosk.Central;

/// <summary>Where the simulator connects and how it batches acknowledgements.</summary>
public sealed class CentralOptions
{
    /// <summary>Broker host name or address. Default 127.0.0.1.</summary>
    public string BrokerHost { get; set; } = "127.0.0.1";

    /// <summary>Broker TCP port, 1..65535. Default 1883.</summary>
    public int BrokerPort { get; set; } = 1883;

    /// <summary>The simulator's SQLite file (created when missing). Deduplication survives restarts because it lives here.</summary>
    public required string DatabasePath { get; set; }

    /// <summary>MQTT client id. Fixed, so the broker keeps the persistent session (and the QoS 1 backlog) while the simulator is away.</summary>
    public string ClientId { get; set; } = "central-simulator";

    /// <summary>How long record ids for one kiosk are gathered before an ack goes out. 0..10 s; default 20 ms.</summary>
    public TimeSpan AckBatchWindow { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>An ack goes out at once when it holds this many record ids. 1..10000; default 500.</summary>
    public int MaxAckBatch { get; set; } = 500;

    /// <summary>
    /// The platform's command-signing private key (PEM, ECDSA P-256): every ack and command is signed with it
    /// (docs/mqtt-contract.md, "Signed platform messages"). Empty: <see cref="Provisioning"/>'s CommandSigningKeyFile.
    /// </summary>
    public string? SigningKeyFile { get; set; }

    /// <summary>The signing key file in use: <see cref="SigningKeyFile"/>, else the provisioning one.</summary>
    public string? EffectiveSigningKeyFile => string.IsNullOrWhiteSpace(SigningKeyFile) ? Provisioning.CommandSigningKeyFile : SigningKeyFile;

    /// <summary>Enrollment of kiosks (CA, its key, the command-signing key); off unless its files are set.</summary>
    public Provisioning.ProvisioningOptions Provisioning { get; set; } = new();

    /// <summary>
    /// Added to the simulator's clock in every time it reports (<c>platformTime</c>), so tests can play a platform
    /// whose clock differs from the kiosk's. -1..1 day; default 0.
    /// </summary>
    public TimeSpan ClockOffset { get; set; }

    /// <summary>
    /// MQTT 5 shared subscription group: when set, this instance subscribes to the kiosk topics as
    /// <c>$share/{group}/...</c>, so every instance of the group gets a share of the traffic. Needs
    /// <see cref="PostgresConnectionString"/>: the pieces of one record may reach different instances.
    /// </summary>
    public string? SharedSubscriptionGroup { get; set; }

    /// <summary>Store records in this PostgreSQL database (shared by the instances of a group) instead of <see cref="DatabasePath"/>.</summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>Checks every option and throws one <see cref="ArgumentException"/> naming all the bad ones.</summary>
    public void Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(BrokerHost))
        {
            problems.Add($"{nameof(BrokerHost)} is empty");
        }

        if (BrokerPort is < 1 or > 65535)
        {
            problems.Add($"{nameof(BrokerPort)} {BrokerPort} is not in 1..65535");
        }

        if (string.IsNullOrWhiteSpace(DatabasePath) && (string.IsNullOrWhiteSpace(PostgresConnectionString) || Provisioning.Enabled))
        {
            problems.Add($"{nameof(DatabasePath)} is empty (it holds the records, or with {nameof(PostgresConnectionString)} the enrollment tokens)");
        }

        if (SharedSubscriptionGroup is { } group)
        {
            if (group.Length is 0 or > 64 || !group.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                problems.Add($"{nameof(SharedSubscriptionGroup)} '{group}' must be 1..64 letters, digits, '-' or '_'");
            }

            if (string.IsNullOrWhiteSpace(PostgresConnectionString))
            {
                problems.Add($"{nameof(SharedSubscriptionGroup)} needs {nameof(PostgresConnectionString)}: a record and its chunks may reach different instances, which must share one store");
            }

            if (Provisioning.Enabled)
            {
                problems.Add($"{nameof(SharedSubscriptionGroup)} cannot be used with enrollment: enrollment tokens live in one instance's file; run enrollment on an instance outside the group");
            }
        }

        if (string.IsNullOrWhiteSpace(ClientId))
        {
            problems.Add($"{nameof(ClientId)} is empty");
        }

        if (AckBatchWindow < TimeSpan.Zero || AckBatchWindow > TimeSpan.FromSeconds(10))
        {
            problems.Add($"{nameof(AckBatchWindow)} {AckBatchWindow} is not in 0..10 s");
        }

        if (MaxAckBatch is < 1 or > 10_000)
        {
            problems.Add($"{nameof(MaxAckBatch)} {MaxAckBatch} is not in 1..10000");
        }

        if (ClockOffset.Duration() > TimeSpan.FromDays(1))
        {
            problems.Add($"{nameof(ClockOffset)} {ClockOffset} is not in -1..1 day");
        }

        Provisioning.Validate(problems);
        if (string.IsNullOrWhiteSpace(EffectiveSigningKeyFile))
        {
            problems.Add($"{nameof(SigningKeyFile)} is empty: kiosks refuse unsigned acks and commands (kiosk-central --signing-key FILE; --make-pki writes one)");
        }
        else if (!File.Exists(EffectiveSigningKeyFile))
        {
            problems.Add($"{nameof(SigningKeyFile)} {EffectiveSigningKeyFile} does not exist");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException("invalid central options: " + string.Join("; ", problems), nameof(CentralOptions));
        }
    }
}
