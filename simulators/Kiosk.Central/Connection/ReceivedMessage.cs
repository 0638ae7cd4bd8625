namespace Kiosk.Central.Connection;

/// <summary>An incoming message copied out of MQTTnet's buffers, so it can outlive the receive callback.</summary>
internal sealed record ReceivedMessage(string Topic, ReadOnlyMemory<byte> Payload, IReadOnlyList<KeyValuePair<string, string>> UserProperties, bool Retained);
