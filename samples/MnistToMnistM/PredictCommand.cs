using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using DomainAdaptation.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SkiaSharp;

namespace MnistToMnistM;

/// <summary>
/// The <c>predict</c> command: classifies image files with an exported ONNX model in ONNX Runtime. It is what serving
/// looks like: no TorchSharp is loaded into the process (Program dispatches here before anything touches the training
/// side; <c>--verbose</c> prints the check), only ONNX Runtime, SkiaSharp to decode the images and the model's own
/// metadata (<see cref="OnnxModelMetadata"/>) to prepare them.
/// </summary>
internal static class PredictCommand
{
    /// <summary>The command's name, which Program dispatches on before building the training commands.</summary>
    public const string Name = "predict";

    private static readonly string[] ImageExtensions = [".png", ".jpg", ".jpeg", ".bmp", ".webp", ".gif"];

    /// <summary>The command with its options and action.</summary>
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "An ONNX file written by export", Required = true };
        var images = new Option<string>("--images") { Description = "An image file, or a folder of them (PNG, JPEG, BMP, WebP, GIF; sub-folders included)", Required = true };
        var top = new Option<int>("--top") { Description = "How many classes to list per image", DefaultValueFactory = _ => 3 };
        var json = new Option<bool>("--json") { Description = "Print JSON (one object per image) instead of a table" };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads (default: the number of cores)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var verbose = new Option<bool>("--verbose") { Description = "Print the stack trace of an error, and which runtimes the process loaded" };
        var command = new Command(Name, "Classify images with an exported ONNX model, in ONNX Runtime only (no TorchSharp in the process)") { model, images, top, json, threads, verbose };
        command.SetAction(p =>
        {
            bool isVerbose = p.GetValue(verbose);
            try
            {
                if (p.GetValue(top) < 1) throw new ArgumentException($"--top must be at least 1, but got {p.GetValue(top)}.");
                if (p.GetValue(threads) < 1) throw new ArgumentException($"--threads must be at least 1, but got {p.GetValue(threads)}.");
                int code = Run(p.GetValue(model)!, p.GetValue(images)!, p.GetValue(top), p.GetValue(json), p.GetValue(threads), Console.Out);
                if (isVerbose) Console.Error.WriteLine(LoadedRuntimes());
                return code;
            }
            catch (Exception ex)
            {
                int code = ex switch
                {
                    ArgumentException => ExitCodes.Usage,
                    IOException or InvalidDataException or UnauthorizedAccessException or OnnxRuntimeException => ExitCodes.Data,
                    _ => ExitCodes.Unexpected,
                };
                Console.Error.WriteLine($"error: {ex.Message}");
                if (isVerbose) Console.Error.WriteLine(ex);
                return code;
            }
        });
        return command;
    }

    /// <summary>Parses and runs a <c>predict …</c> command line on its own (Program's early dispatch).</summary>
    public static int Invoke(string[] args)
    {
        var root = new RootCommand("Classify images with an exported ONNX model") { Create() };
        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (string e in parsed.Errors.Select(e => e.Message).Distinct()) Console.Error.WriteLine("error: " + e);
            Console.Error.WriteLine("(dotnet run --project samples/MnistToMnistM -- predict --help lists its options)");
            return ExitCodes.Usage;
        }

        return parsed.Invoke();
    }

    private static int Run(string modelPath, string imagesPath, int top, bool json, int threads, TextWriter console)
    {
        string modelFull = Path.GetFullPath(modelPath);
        if (!File.Exists(modelFull)) throw new FileNotFoundException($"The model '{modelFull}' does not exist (write one with: export --run RUN --out model.onnx).", modelFull);
        List<string> files = ImageFiles(imagesPath);

        using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 };
        InferenceSession session;
        try
        {
            session = new InferenceSession(modelFull, options);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new InvalidDataException($"'{modelFull}' is not a model ONNX Runtime can load: {ex.Message}", ex);
        }

        using (session)
        {
            OnnxModelMetadata metadata = OnnxModelMetadata.FromProperties(session.ModelMetadata.CustomMetadataMap, modelFull);
            if (metadata.InputShape.Count != 3) throw new InvalidDataException($"'{modelFull}' takes inputs of shape [{string.Join(", ", metadata.InputShape)}]; predict classifies images (C×H×W).");
            int channels = (int)metadata.InputShape[0], height = (int)metadata.InputShape[1], width = (int)metadata.InputShape[2];
            if (channels is not (1 or 3)) throw new InvalidDataException($"'{modelFull}' takes {channels}-channel images; predict reads grey (1) or RGB (3) images.");
            int size = channels * height * width, classes = metadata.ClassNames.Count;
            top = Math.Min(top, classes);

            var results = new List<Prediction>(files.Count);
            var failures = new List<(string File, string Reason)>();
            int resized = 0;
            const int batchSize = 64;
            for (int start = 0; start < files.Count; start += batchSize)
            {
                var batchFiles = new List<string>();
                var input = new List<float>();
                var pixels = new byte[size];
                var normalised = new float[size];
                foreach (string file in files.Skip(start).Take(batchSize))
                {
                    string? problem = Decode(file, channels, height, width, pixels, ref resized);
                    if (problem is not null)
                    {
                        failures.Add((file, problem));
                        continue;
                    }

                    metadata.Normalise(pixels, normalised);
                    input.AddRange(normalised);
                    batchFiles.Add(file);
                }

                if (batchFiles.Count == 0) continue;
                var tensor = new DenseTensor<float>(input.ToArray(), [batchFiles.Count, channels, height, width]);
                using var outputs = session.Run([NamedOnnxValue.CreateFromTensor(OnnxModelMetadata.InputName, tensor)]);
                float[] values = outputs.Single().AsEnumerable<float>().ToArray();
                for (int i = 0; i < batchFiles.Count; i++)
                {
                    double[] probabilities = Probabilities(values.AsSpan(i * classes, classes), metadata.Output);
                    ClassScore[] best = Enumerable.Range(0, classes).OrderByDescending(k => probabilities[k]).ThenBy(k => k).Take(top)
                        .Select(k => new ClassScore(metadata.ClassNames[k], k, probabilities[k])).ToArray();
                    results.Add(new Prediction(Relative(imagesPath, batchFiles[i]), best));
                }
            }

            if (json)
            {
                console.WriteLine(JsonSerializer.Serialize(new PredictOutput(modelFull, metadata.Method, metadata.RunId, results, failures.Select(f => new Failure(Relative(imagesPath, f.File), f.Reason)).ToArray()), JsonOptions));
            }
            else
            {
                foreach (Prediction r in results)
                {
                    console.WriteLine($"{r.File}\t" + string.Join("\t", r.Top.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Class} ({c.Probability:P1})"))));
                }

                console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{results.Count:N0} image(s) classified with '{Path.GetFileName(modelFull)}' ({metadata.Method ?? "method not recorded"}){(resized > 0 ? $"; {resized} resized to {width}×{height}" : "")}."));
            }

            foreach ((string file, string reason) in failures) Console.Error.WriteLine($"error: '{file}': {reason}");
            return failures.Count == 0 ? 0 : ExitCodes.Data;
        }
    }

    /// <summary>Decodes one image into channel-major pixels of the model's size; returns why not, or null.</summary>
    private static string? Decode(string file, int channels, int height, int width, byte[] pixels, ref int resized)
    {
        SKBitmap? decoded;
        try
        {
            decoded = SKBitmap.Decode(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"cannot be read: {ex.Message}";
        }

        if (decoded is null) return new FileInfo(file).Length == 0 ? "is empty (0 bytes)" : "is not an image SkiaSharp can decode (PNG, JPEG, BMP, WebP, GIF)";
        using (decoded)
        {
            SKBitmap source = decoded;
            SKBitmap? scaled = null;
            if (decoded.Width != width || decoded.Height != height)
            {
                scaled = decoded.Resize(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul), new SKSamplingOptions(SKFilterMode.Linear));
                if (scaled is null) return $"could not be resized from {decoded.Width}×{decoded.Height} to {width}×{height}";
                source = scaled;
                resized++;
            }

            using (scaled)
            {
                int plane = height * width;
                for (int y = 0; y < height; y++)
                {
                    for (int x = 0; x < width; x++)
                    {
                        SKColor c = source.GetPixel(x, y);
                        int i = y * width + x;
                        if (channels == 3)
                        {
                            pixels[i] = c.Red;
                            pixels[plane + i] = c.Green;
                            pixels[2 * plane + i] = c.Blue;
                        }
                        else
                        {
                            pixels[i] = (byte)Math.Round(0.299 * c.Red + 0.587 * c.Green + 0.114 * c.Blue);
                        }
                    }
                }
            }
        }

        return null;
    }

    private static double[] Probabilities(ReadOnlySpan<float> row, OnnxOutputKind output)
    {
        var p = new double[row.Length];
        if (output == OnnxOutputKind.Probabilities)
        {
            for (int k = 0; k < row.Length; k++) p[k] = row[k];
            return p;
        }

        double max = double.NegativeInfinity, sum = 0;
        foreach (float v in row) max = Math.Max(max, v);
        for (int k = 0; k < row.Length; k++) sum += p[k] = Math.Exp(row[k] - max);
        for (int k = 0; k < row.Length; k++) p[k] /= sum;
        return p;
    }

    private static List<string> ImageFiles(string path)
    {
        string full = Path.GetFullPath(path);
        if (File.Exists(full)) return [full];
        if (!Directory.Exists(full)) throw new FileNotFoundException($"--images '{full}' is neither an image file nor a folder.", full);
        List<string> files = Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories)
            .Where(f => ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Order(StringComparer.Ordinal)
            .ToList();
        return files.Count > 0 ? files : throw new FileNotFoundException($"The folder '{full}' holds no image files ({string.Join(", ", ImageExtensions)}).", full);
    }

    private static string Relative(string imagesPath, string file)
    {
        string full = Path.GetFullPath(imagesPath);
        return Directory.Exists(full) ? Path.GetRelativePath(full, file) : Path.GetFileName(file);
    }

    /// <summary>Whether TorchSharp (the managed assembly or libtorch) is in this process: the check <c>--verbose</c> prints.</summary>
    public static string LoadedRuntimes()
    {
        bool managed = AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name?.StartsWith("TorchSharp", StringComparison.Ordinal) == true);
        bool native = File.Exists("/proc/self/maps") && File.ReadLines("/proc/self/maps").Any(l => l.Contains("libtorch", StringComparison.Ordinal));
        bool onnx = AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name == "Microsoft.ML.OnnxRuntime");
        return $"runtimes in this process: ONNX Runtime {(onnx ? "loaded" : "not loaded")}; TorchSharp assembly {(managed ? "LOADED" : "not loaded")}; libtorch {(native ? "MAPPED" : "not mapped")}";
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private sealed record ClassScore(string Class, int Index, double Probability);

    private sealed record Prediction(string File, IReadOnlyList<ClassScore> Top);

    private sealed record Failure(string File, string Reason);

    private sealed record PredictOutput(string Model, string? Method, string? RunId, IReadOnlyList<Prediction> Predictions, IReadOnlyList<Failure> Failures);
}
