namespace Kiosk.Devices.FaceCamera;

/// <summary>A detected face's bounding box in image pixels.</summary>
public readonly record struct FaceBox(int X, int Y, int Width, int Height)
{
    public double CentreX => X + (Width / 2.0);

    public double CentreY => Y + (Height / 2.0);
}
