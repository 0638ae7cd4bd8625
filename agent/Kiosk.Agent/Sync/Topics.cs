namespace Kiosk.Agent.Sync;

/// <summary>Topic names of docs/mqtt-contract.md, for one kiosk.</summary>
public sealed class Topics(string siteId, string kioskId)
{
    public string Prefix { get; } = $"kiosk/v1/{siteId}/{kioskId}/";

    public string State => Prefix + "state";

    public string Telemetry => Prefix + "telemetry";

    public string Ack => Prefix + "ack";

    /// <summary>The subscription filter for every platform command.</summary>
    public string Commands => Prefix + "cmd/#";

    public string CommandPrefix => Prefix + "cmd/";

    public string Command(string name) => Prefix + "cmd/" + name;

    /// <summary>This kiosk's certificate renewal requests (kiosk → platform; only this kiosk may write it, only the platform read it).</summary>
    public string CertificateRequest => Prefix + "csr";

    public string Records(string kind) => Prefix + "records/" + kind;

    public string Blob(string recordId, string attachmentId) => Prefix + "blobs/" + recordId + "/" + attachmentId;
}
