using System.Text;

namespace Kiosk.Fuzz.Seeds;

/// <summary>Seeds for the bodies of signed platform commands (cmd/config, cmd/logs, cmd/alert-disposition).</summary>
internal static class CommandSeeds
{
    public static IEnumerable<(string Target, string Name, byte[] Bytes)> All()
    {
        yield return ("cmd-config", "set-and-remove.json", Utf8("""{"commandId":"0193a4c1-7e2a-7b3c-9d4e-5f6a7b8c9d0e","set":{"Kiosk:Sync:MaxMessagesPerSecond":"50","Kiosk:Sync:BrokerPort":8883},"remove":["Kiosk:Sync:KeepAlive"]}"""));
        yield return ("cmd-config", "half-surrogate.json", Utf8("""{"commandId":"c-1","set":{"\ud800":"x"}}"""));
        yield return ("cmd-logs", "hours.json", Utf8("""{"commandId":"0193a4c1-7e2a-7b3c-9d4e-5f6a7b8c9d0e","hours":24}"""));
        yield return ("cmd-alert-disposition", "acknowledged.json", Utf8("""{"commandId":"0193a4c1-7e2a-7b3c-9d4e-5f6a7b8c9d0e","alertRecordId":"0193a4c1-7e2a-7b3c-9d4e-5f6a7b8c9d0f","disposition":"acknowledged","by":"王警官","note":"on my way"}"""));
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
