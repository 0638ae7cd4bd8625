using Kiosk.Devices;
using Kiosk.Devices.Drivers;
using Kiosk.Devices.FaceCamera;
using OpenCvSharp;

namespace Kiosk.Drivers.FaceCamera.Tests;

/// <summary>The face-embedding matcher on the test photographs, and how it refuses a missing or wrong model.</summary>
public sealed class OnnxFaceEmbeddingMatcherTests
{
    private OnnxFaceEmbeddingMatcher _matcher = null!;

    [OneTimeSetUp]
    public void CreateMatcher() => _matcher = new OnnxFaceEmbeddingMatcher(Models.RequireEmbedding());

    [OneTimeTearDown]
    public void DisposeMatcher() => _matcher?.Dispose();

    [Test]
    public async Task The_same_face_shifted_scaled_and_brightened_matches()
    {
        using var photo = Photos.Load("astronaut.png");
        using var moved = Photos.Moved(photo, 6, -4, 1.05, 15);
        var match = await _matcher.MatchAsync(Capture(moved), Png(photo), CancellationToken.None);
        await TestContext.Out.WriteLineAsync($"same face: {match}");
        Assert.That(match.IsMatch, Is.True, match.ToString());
        Assert.That((match.Method, match.Threshold), Is.EqualTo((OnnxFaceEmbeddingMatcher.MethodName, 0.75)));
    }

    [Test]
    public void A_different_face_scores_far_below_the_same_face()
    {
        using var photo = Photos.Load("astronaut.png");
        using var moved = Photos.Moved(photo, 6, -4, 1.05, 15);
        var astronaut = _matcher.Embedding(Png(photo))!;
        var same = OnnxFaceEmbeddingMatcher.Score(_matcher.Embedding(Png(moved))!, astronaut);

        // The cameraman's face region measured by eye on camera.png, embedded without eyes (the box scaled).
        using var cameraman = Photos.Load("camera.png");
        using var hisFace = OnnxFaceEmbeddingMatcher.Align(cameraman, new DetectedFace(new Rect(175, 95, 85, 85), null, null));
        var other = OnnxFaceEmbeddingMatcher.Score(_matcher.Embed(hisFace), astronaut);
        TestContext.Out.WriteLine($"cosine: same face {same:0.000}, the cameraman {other:0.000}");
        Assert.That(same, Is.GreaterThanOrEqualTo(new FaceMatcherOptions().EmbeddingThreshold));
        Assert.That(other, Is.LessThan(new FaceMatcherOptions().EmbeddingThreshold));
        Assert.That(other, Is.LessThan(same - 0.3));
    }

    [Test]
    public async Task An_image_without_a_face_scores_zero()
    {
        using var photo = Photos.Load("astronaut.png");
        using var blank = new Mat(photo.Rows, photo.Cols, MatType.CV_8UC3, Scalar.All(128));
        var match = await _matcher.MatchAsync(Capture(blank), Png(photo), CancellationToken.None);
        Assert.That((match.Score, match.IsMatch), Is.EqualTo((0.0, false)));
    }

    [Test]
    public void A_missing_model_is_named_with_its_fix()
    {
        var options = new FaceMatcherOptions { Method = FaceMatcherMethod.Embedding, EmbeddingModelPath = "/nonexistent/fr_feature.onnx" };
        Assert.That(options.Validate(), Has.One.Contains("EmbeddingModelPath '/nonexistent/fr_feature.onnx' does not exist").And.Contains("set Method to Lbph"));
        Assert.That(new FaceMatcherOptions { EmbeddingModelPath = "/nonexistent/fr_feature.onnx" }.Validate(), Is.Empty, "LBPH does not need it");
    }

    [Test]
    public void A_model_that_is_not_an_embedding_network_is_refused()
    {
        var options = new FaceMatcherOptions { Method = FaceMatcherMethod.Embedding, EmbeddingModelPath = new FaceCameraOptions().BlazeFaceModelPath };
        Assert.That(() => new OnnxFaceEmbeddingMatcher(options), Throws.ArgumentException.With.Message.Contains("not an embedding network's one [1, 3, 112, 112] input"));
    }

    [TestCase(FaceMatcherMethod.Embedding, typeof(OnnxFaceEmbeddingMatcher))]
    [TestCase(FaceMatcherMethod.Lbph, typeof(OpenCvFaceMatcher))]
    public void The_driver_builds_the_matcher_its_configuration_names(FaceMatcherMethod method, Type expected)
    {
        var configured = OpenCvFaceCameraDriver.Descriptor.Configure(new Settings(new FaceMatcherOptions { Method = method }));
        Assert.That(configured.Problems(), Is.Empty);
        var matcher = configured.CreateFaceMatcher(new Context());
        try
        {
            Assert.That(matcher, Is.InstanceOf(expected));
        }
        finally
        {
            (matcher as IDisposable)?.Dispose();
        }
    }

    private sealed class Settings(FaceMatcherOptions matcher) : IDriverSettings
    {
        public T Bind<T>(string section)
            where T : class, new() => section == "FaceMatcher" ? (T)(object)matcher : new T();

        public string? Value(string key) => null;
    }

    private sealed class Context() : DriverContext("faceCamera", TimeProvider.System, AppContext.BaseDirectory)
    {
        public override T? Device<T>()
            where T : class => null;

        public override T SharedResource<T>(string key, Func<T> create) => create();
    }

    private static byte[] Png(Mat image)
    {
        Cv2.ImEncode(".png", image, out var bytes);
        return bytes;
    }

    private static FaceCapture Capture(Mat image)
    {
        Cv2.ImEncode(".jpg", image, out var jpeg);
        return new FaceCapture(new CapturedImage(jpeg, "image/jpeg", image.Width, image.Height), new FaceQuality { FaceCount = 1, Score = 80 });
    }
}
