namespace Kiosk.Devices;

public enum DeviceClass
{
    FaceCamera,
    DocumentCamera,
    DocumentScanner,
    SignaturePad,
    FingerprintReader,
    IdCardReader,
    AudioRecorder,
    AudioPlayer,
    Indicators,
    Sensors,
}
