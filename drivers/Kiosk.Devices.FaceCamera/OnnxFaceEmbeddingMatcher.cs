using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;

namespace Kiosk.Devices.FaceCamera;

/// <summary>
/// A 1:1 matcher on a face-embedding network (ArcFace-style: a 112 x 112 RGB crop aligned on the eyes, (v - 127) / 128,
/// NCHW, one embedding out) run by ONNX Runtime on one thread; the score is the cosine similarity of the two embeddings
/// (negative as 0). The face and its eyes are found as <see cref="OpenCvFaceMatcher"/> finds them.
/// Thread safety: calls are serialised (one session, one input buffer).
/// </summary>
public sealed class OnnxFaceEmbeddingMatcher : IFaceMatcher, IDisposable
{
    public const string MethodName = "onnx-embedding-cosine";

    /// <summary>Crop side and where the eye centres go in it: the ArcFace reference points (InsightFace's 112 x 112 template).</summary>
    internal const int Side = 112;

    private static readonly Point2d LeftEyeTarget = new(38.2946, 51.6963);
    private static readonly Point2d RightEyeTarget = new(73.5318, 51.5014);

    private readonly FaceMatcherOptions _options;
    private readonly FaceAnalyzer _analyzer;
    private readonly InferenceSession _session;
    private readonly string _inputName;
    private readonly float[] _input = new float[3 * Side * Side];
    private readonly RunOptions _run = new();
    private readonly Lock _gate = new();

    /// <exception cref="ArgumentException">The options are invalid, or the model cannot be loaded or is not an embedding network.</exception>
    public OnnxFaceEmbeddingMatcher(FaceMatcherOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid face matcher options: " + string.Join("; ", errors));
        }

        _options = options;
        var modelPath = options.EmbeddingModelPath;
        using var sessionOptions = new SessionOptions
        {
            // One thread, as the detector: the kiosk has two cores, shared with the capture loop and the rest of the agent.
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        try
        {
            _session = new InferenceSession(modelPath, sessionOptions);
        }
        catch (OnnxRuntimeException ex)
        {
            _run.Dispose();
            throw new ArgumentException($"face embedding model '{modelPath}' is not an ONNX model ONNX Runtime can load: {ex.Message}", nameof(options), ex);
        }

        var (name, meta) = _session.InputMetadata.First();
        var output = _session.OutputMetadata.First().Value.Dimensions;
        if (_session.InputMetadata.Count != 1 || meta.Dimensions is not [_, 3, Side, Side] || output is not [_, > 1])
        {
            _session.Dispose();
            _run.Dispose();
            throw new ArgumentException($"face embedding model '{modelPath}': input [{string.Join(", ", meta.Dimensions)}] and output [{string.Join(", ", output)}], not an embedding network's one [1, 3, {Side}, {Side}] input and [1, N] output", nameof(options));
        }

        _inputName = name;
        try
        {
            _analyzer = new FaceAnalyzer(options.Detection);
        }
        catch
        {
            _session.Dispose();
            _run.Dispose();
            throw;
        }
    }

    public Task<FaceMatch> MatchAsync(FaceCapture probe, ReadOnlyMemory<byte> enrolledPhoto, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(probe);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Compare(probe.Image.Data.Span, enrolledPhoto.Span));
    }

    /// <summary>Compares the single faces of two encoded images; 0 when either has no single face.</summary>
    public FaceMatch Compare(ReadOnlySpan<byte> probe, ReadOnlySpan<byte> enrolled)
    {
        var a = Embedding(probe);
        var b = a is null ? null : Embedding(enrolled);
        return new FaceMatch(a is null || b is null ? 0 : Score(a, b), _options.EmbeddingThreshold, MethodName);
    }

    /// <summary>Cosine similarity of two L2-normalised embeddings, negative as 0, rounded as <see cref="Compare"/> reports it.</summary>
    internal static double Score(float[] a, float[] b)
    {
        double dot = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
        }

        return Math.Round(Math.Max(0, dot), 4);
    }

    /// <summary>The L2-normalised embedding of the image's single face; null when there is no single face.</summary>
    internal float[]? Embedding(ReadOnlySpan<byte> encoded)
    {
        using var image = encoded.IsEmpty ? new Mat() : Cv2.ImDecode(encoded.ToArray(), ImreadModes.Color);
        var (_, face) = _analyzer.AnalyzeFrame(image);
        if (face is null)
        {
            return null;
        }

        using var crop = Align(image, face);
        return Embed(crop);
    }

    /// <summary>The 112 x 112 colour crop with the eyes on the template's eye points (a similarity transform), or the box scaled without eyes.</summary>
    internal static Mat Align(Mat colour, DetectedFace face)
    {
        var aligned = new Mat();
        if (face is { LeftEye: { } left, RightEye: { } right })
        {
            var (sx, sy) = (right.X - left.X, right.Y - left.Y);
            var (tx, ty) = (RightEyeTarget.X - LeftEyeTarget.X, RightEyeTarget.Y - LeftEyeTarget.Y);
            var scale = Math.Sqrt(((tx * tx) + (ty * ty)) / ((sx * sx) + (sy * sy)));
            var angle = Math.Atan2(ty, tx) - Math.Atan2(sy, sx);
            var (cos, sin) = (scale * Math.Cos(angle), scale * Math.Sin(angle));
            var (mx, my) = ((left.X + right.X) / 2, (left.Y + right.Y) / 2);
            var (dx, dy) = ((LeftEyeTarget.X + RightEyeTarget.X) / 2, (LeftEyeTarget.Y + RightEyeTarget.Y) / 2);
            using var transform = new Mat(2, 3, MatType.CV_64FC1);
            transform.Set(0, 0, cos);
            transform.Set(0, 1, -sin);
            transform.Set(0, 2, dx - ((cos * mx) - (sin * my)));
            transform.Set(1, 0, sin);
            transform.Set(1, 1, cos);
            transform.Set(1, 2, dy - ((sin * mx) + (cos * my)));
            Cv2.WarpAffine(colour, aligned, transform, new Size(Side, Side), InterpolationFlags.Linear, BorderTypes.Constant);
        }
        else
        {
            using var crop = new Mat(colour, face.Box);
            Cv2.Resize(crop, aligned, new Size(Side, Side), 0, 0, InterpolationFlags.Area);
        }

        return aligned;
    }

    /// <summary>Runs the network on an aligned BGR crop; the embedding, L2-normalised.</summary>
    internal float[] Embed(Mat crop)
    {
        lock (_gate)
        {
            const int plane = Side * Side;
            for (var y = 0; y < Side; y++)
            {
                for (var x = 0; x < Side; x++)
                {
                    var bgr = crop.At<Vec3b>(y, x);
                    var at = (y * Side) + x;
                    _input[at] = (bgr.Item2 - 127f) / 128f;
                    _input[plane + at] = (bgr.Item1 - 127f) / 128f;
                    _input[(2 * plane) + at] = (bgr.Item0 - 127f) / 128f;
                }
            }

            using var input = OrtValue.CreateTensorValueFromMemory(_input, [1, 3, Side, Side]);
            using var outputs = _session.Run(_run, [_inputName], [input], [_session.OutputNames[0]]);
            var embedding = outputs[0].GetTensorDataAsSpan<float>().ToArray();
            var norm = Math.Sqrt(embedding.Sum(v => (double)v * v));
            for (var i = 0; i < embedding.Length; i++)
            {
                embedding[i] = (float)(embedding[i] / norm);
            }

            return embedding;
        }
    }

    public void Dispose()
    {
        _run.Dispose();
        _session.Dispose();
        _analyzer.Dispose();
    }
}
