using OpenCvSharp;

namespace Kiosk.FaceEvalSet;

/// <summary>What a kiosk camera does to a picture: poor light, light from behind, soft focus, sensor noise; and the wall behind people.</summary>
internal static class Looks
{
    /// <summary>An unlit room: a third of the light, and the sensor noise a camera adds when it turns up its gain.</summary>
    public static Mat Dark(Mat image, Random random)
    {
        var dark = new Mat();
        image.ConvertTo(dark, MatType.CV_8UC3, 0.3, 0);
        AddNoise(dark, random, 4);
        return dark;
    }

    /// <summary>Overexposed: half again as bright and lifted, highlights clipped.</summary>
    public static Mat Bright(Mat image)
    {
        var bright = new Mat();
        image.ConvertTo(bright, MatType.CV_8UC3, 1.5, 60);
        return bright;
    }

    /// <summary>A window behind the person: the background washed out, the face in its shadow.</summary>
    public static Mat Backlit(Mat image, Rect face)
    {
        using var lit = new Mat();
        image.ConvertTo(lit, MatType.CV_32FC3, 1.1, 130);
        using var shade = new Mat();
        image.ConvertTo(shade, MatType.CV_32FC3, 0.4, 0);
        // Weight 1 on the person (the face and below it), falling off smoothly into the bright background.
        using var mask = new Mat(image.Size(), MatType.CV_32FC1, Scalar.All(0));
        var centre = new Point(face.X + (face.Width / 2), face.Y + (face.Height * 0.9));
        Cv2.Ellipse(mask, centre, new Size(face.Width * 0.7, face.Height * 1.3), 0, 0, 360, Scalar.All(1), -1);
        Cv2.GaussianBlur(mask, mask, new Size(0, 0), face.Width * 0.12);
        using var mask3 = new Mat();
        Cv2.Merge([mask, mask, mask], mask3);
        using var inverse = new Mat();
        Cv2.Subtract(Scalar.All(1), mask3, inverse);
        using var a = shade.Mul(mask3);
        using var b = lit.Mul(inverse);
        using var sum = new Mat();
        Cv2.Add(a, b, sum);
        var result = new Mat();
        sum.ConvertTo(result, MatType.CV_8UC3);
        return result;
    }

    public static Mat Blurred(Mat image, double sigma)
    {
        var blurred = new Mat();
        Cv2.GaussianBlur(image, blurred, new Size(0, 0), sigma);
        return blurred;
    }

    /// <summary>A plain wall: a seeded colour with a soft vertical gradient and a little noise.</summary>
    public static Mat Wall(int width, int height, Random random)
    {
        var top = new Scalar(random.Next(90, 200), random.Next(90, 200), random.Next(90, 200));
        using var column = new Mat(height, 1, MatType.CV_8UC3);
        for (var y = 0; y < height; y++)
        {
            var shade = 1.0 - (0.25 * y / height);
            column.Set(y, 0, new Vec3b((byte)(top.Val0 * shade), (byte)(top.Val1 * shade), (byte)(top.Val2 * shade)));
        }

        var wall = new Mat();
        Cv2.Resize(column, wall, new Size(width, height), 0, 0, InterpolationFlags.Nearest);
        AddNoise(wall, random, 2);
        return wall;
    }

    /// <summary>Gaussian noise from the seeded generator (Box-Muller), so the set is the same on every run.</summary>
    private static void AddNoise(Mat image, Random random, double sigma)
    {
        var length = (int)(image.Total() * image.ElemSize());
        var bytes = new byte[length];
        System.Runtime.InteropServices.Marshal.Copy(image.Data, bytes, 0, length);
        for (var i = 0; i < length; i++)
        {
            var gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            bytes[i] = (byte)Math.Clamp(Math.Round(bytes[i] + (sigma * gaussian)), 0, 255);
        }

        System.Runtime.InteropServices.Marshal.Copy(bytes, 0, image.Data, length);
    }
}
