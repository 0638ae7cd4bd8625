namespace Kiosk.Devices.Simulated;

/// <summary>
/// A fault a simulated device can be scripted to show. Faults that do not apply to a device class
/// (a paper jam on a face camera) are ignored by that device.
/// </summary>
public enum SimulatedFault
{
    None,
    /// <summary>The cable is pulled: status NoDevice, the operation ends with DeviceNotReady.</summary>
    Unplugged,
    /// <summary>Answers late (three operation delays plus 2 s) but still succeeds within the timeout.</summary>
    Slow,
    /// <summary>Never answers: the operation ends with Timeout when its time is up.</summary>
    Timeout,
    /// <summary>Delivers bytes that fail their check: InvalidData.</summary>
    GarbageData,
    /// <summary>ID card reader: a valid card of another person is on the reader.</summary>
    WrongCard,
    /// <summary>Face camera: nobody in front of the camera (NoMedia).</summary>
    NoFace,
    /// <summary>Face camera: two people in the frame (UserError).</summary>
    TwoFaces,
    /// <summary>Document camera or scanner: nothing to capture (NoMedia).</summary>
    NoPage,
    /// <summary>Document camera: the page runs over the edge of the view (NoMedia, device error "cutOff").</summary>
    PageCutOff,
    /// <summary>Document camera: the page is found but blurred (blur 0.8: the session asks for it again).</summary>
    BlurredPage,
    /// <summary>Scanner: the sheet jams (HardwareError, device error "paper jam").</summary>
    PaperJam,
    /// <summary>Fingerprint reader or signature pad: no finger on the sensor (NoMedia).</summary>
    NoFinger,
    /// <summary>Audio recorder: nobody speaks (NoMedia).</summary>
    Silence,
    /// <summary>The device reports an internal failure (HardwareError); the next operation works again.</summary>
    HardwareError,
}
