namespace Kiosk.Central.Connection;

/// <summary>
/// An incoming message copied out of MQTTnet's buffers, so it can outlive the receive callback. The MQTT 5 response
/// topic and correlation data are kept for the request/response exchanges of provisioning.
/// </summary>
internal sealed record ReceivedMessage(string Topic, ReadOnlyMemory<byte> Payload, IReadOnlyList<KeyValuePair<string, string>> UserProperties, bool Retained, string? ResponseTopic = null, byte[]? CorrelationData = null);
