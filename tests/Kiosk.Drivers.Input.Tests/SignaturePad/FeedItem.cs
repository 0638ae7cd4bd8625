namespace Kiosk.Drivers.Input.Tests.SignaturePad;

/// <summary>One step of a recorded event stream: bytes, an I/O error or the end of the stream, due at a time after the recording starts.</summary>
internal sealed record FeedItem(TimeSpan Due, byte[]? Data = null, Exception? Error = null, bool End = false);
