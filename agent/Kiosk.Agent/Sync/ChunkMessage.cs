using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Kiosk.Agent.Outbox;
using MQTTnet;
using MQTTnet.Protocol;

namespace Kiosk.Agent.Sync;

/// <summary>One chunk of an attachment on <c>blobs/{recordId}/{attachmentId}</c>, with the user properties of docs/mqtt-contract.md.</summary>
internal static class ChunkMessage
{
    public static MqttApplicationMessage Build(string topic, OutboxAttachment attachment, int index, int count, long offset, byte[] chunk) =>
        new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(chunk)
            .WithContentType(attachment.ContentType)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithUserProperty("index", Utf8(index))
            .WithUserProperty("count", Utf8(count))
            .WithUserProperty("offset", Utf8(offset))
            .WithUserProperty("length", Utf8(attachment.Length))
            .WithUserProperty("sha256", Encoding.UTF8.GetBytes(attachment.Sha256))
            .WithUserProperty("chunkSha256", Encoding.UTF8.GetBytes(Convert.ToHexStringLower(SHA256.HashData(chunk))))
            .Build();

    private static ReadOnlyMemory<byte> Utf8(long value) => Encoding.UTF8.GetBytes(value.ToString(CultureInfo.InvariantCulture));
}
