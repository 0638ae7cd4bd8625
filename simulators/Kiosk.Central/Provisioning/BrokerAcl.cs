using System.Text;
using System.Text.RegularExpressions;

namespace Kiosk.Central.Provisioning;

/// <summary>
/// The Mosquitto ACL for the mutual-TLS listener (docs/mqtt-contract.md, "Broker access control"): with
/// <c>use_identity_as_username true</c> a client's user name is its certificate's common name, so each block below binds
/// one certificate to the topics it may use. A kiosk writes only under its own prefix and reads only its own
/// <c>ack</c> and <c>cmd/#</c>; only the platform's certificate may publish <c>ack</c> and <c>cmd</c>. A kiosk's
/// certificate renewal request (<c>csr</c>) is written by that kiosk alone and read by the platform alone (no kiosk
/// block reads it), so the request's topic proves which kiosk asks. A kiosk's common
/// name (<c>kiosk-{siteId}-{kioskId}</c>) cannot be split back into its site and kiosk (both may hold '-'), so a
/// Mosquitto <c>pattern</c> cannot express this: the platform writes one block per enrolled kiosk.
/// </summary>
public static partial class BrokerAcl
{
    /// <summary>The block for one enrolled kiosk.</summary>
    /// <exception cref="ArgumentException">An id outside <c>^[A-Za-z0-9_-]{1,64}$</c>: it could widen the ACL (a wildcard, a new line).</exception>
    public static string ForKiosk(string siteId, string kioskId)
    {
        RequireId(siteId, nameof(siteId));
        RequireId(kioskId, nameof(kioskId));
        var prefix = $"kiosk/v1/{siteId}/{kioskId}/";
        return new StringBuilder()
            .Append("user ").Append(EnrollmentAuthority.CommonNameFor(siteId, kioskId)).Append('\n')
            .Append("topic write ").Append(prefix).Append("state\n")
            .Append("topic write ").Append(prefix).Append("telemetry\n")
            .Append("topic write ").Append(prefix).Append("records/+\n")
            .Append("topic write ").Append(prefix).Append("blobs/+/+\n")
            .Append("topic write ").Append(prefix).Append("csr\n")
            .Append("topic read ").Append(prefix).Append("ack\n")
            .Append("topic read ").Append(prefix).Append("cmd/#\n")
            .ToString();
    }

    /// <summary>
    /// Adds <paramref name="siteId"/>/<paramref name="kioskId"/>'s block to the ACL file at <paramref name="path"/> (created
    /// when missing) unless the file already has a block for its certificate; the file is replaced whole (written next to
    /// it, then renamed), so the broker never reads half a block. Returns whether it added the block.
    /// </summary>
    public static bool AddKiosk(string path, string siteId, string kioskId)
    {
        var block = ForKiosk(siteId, kioskId);
        var userLine = "user " + EnrollmentAuthority.CommonNameFor(siteId, kioskId);
        var current = File.Exists(path) ? File.ReadAllText(path) : "";
        if (current.Split('\n').Any(line => line.TrimEnd('\r') == userLine))
        {
            return false;
        }

        var separator = current.Length == 0 || current.EndsWith("\n\n", StringComparison.Ordinal) ? "" : current.EndsWith('\n') ? "\n" : "\n\n";
        var next = path + ".next";
        File.WriteAllText(next, current + separator + block);
        File.Move(next, path, overwrite: true);
        return true;
    }

    /// <summary>The block for the platform's own certificate: it reads every kiosk and alone writes <c>ack</c> and <c>cmd</c>.</summary>
    public static string ForPlatform(string commonName)
    {
        if (string.IsNullOrEmpty(commonName) || commonName.Any(c => char.IsControl(c) || c is '+' or '#'))
        {
            throw new ArgumentException($"the platform's common name '{commonName}' is empty or holds a control character or an MQTT wildcard", nameof(commonName));
        }

        return $"user {commonName}\ntopic read kiosk/v1/#\ntopic write kiosk/v1/+/+/ack\ntopic write kiosk/v1/+/+/cmd/#\n";
    }

    private static void RequireId(string value, string name)
    {
        if (value is null || !Id().IsMatch(value))
        {
            throw new ArgumentException($"{name} '{value}' does not match ^[A-Za-z0-9_-]{{1,64}}$", name);
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Id();
}
