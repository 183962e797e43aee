using System.Globalization;
using DomainAdaptation.Data;
using DomainAdaptation.Data.Batching;
using DomainAdaptation.Models;
using DomainAdaptation.Onnx;
using DomainAdaptation.Training.Checkpoints;
using Microsoft.ML.OnnxRuntime;
using static TorchSharp.torch;
using DenseTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;

namespace MnistToMnistM;

/// <summary>
/// The <c>export</c> command: a run's checkpoint → an ONNX file (DomainAdaptation.Onnx), then checked in ONNX Runtime
/// against TorchSharp's evaluation on real test images, so that a file that would predict differently is never left
/// behind silently.
/// </summary>
internal static class ExportRunner
{
    /// <summary>The largest |ONNX − TorchSharp| logit difference accepted by the check.</summary>
    public const double Tolerance = 1e-4;

    /// <summary>Exports and checks; returns the exit code.</summary>
    public static int Run(string runFolder, string outPath, bool softmax, CheckpointWeights weights, SampleSet? check, TextWriter console)
    {
        var (settings, classes, shape) = RunInfo.Read(runFolder);
        string? latest = Checkpoint.FindLatest(Path.Combine(runFolder, TrainRunner.CheckpointFolder))
            ?? throw new FileNotFoundException($"'{runFolder}' has no checkpoint in {TrainRunner.CheckpointFolder}/.");
        using AdaptationModel model = settings.BuildModel(new SampleShape(shape), classes);
        CheckpointInfo info = Checkpoint.LoadModel(latest, model, weights);
        model.eval();

        bool digits = settings.SourcePath is null && settings.TargetPath is null;
        var options = new OnnxExportOptions
        {
            InputShape = new SampleShape(shape),
            // The names run.json recorded (the class folders of image folders); older runs: the digits, or the indices.
            ClassNames = RunInfo.ReadClassNames(runFolder) is { } names && names.Count == classes ? names
                : digits && classes == 10 ? DataLoading.Digits : null,
            Normalisation = info.Normalisation,
            IncludeSoftmax = softmax,
            Method = settings.MethodSpecification,
            RunId = Path.GetFileName(Path.GetFullPath(runFolder).TrimEnd(Path.DirectorySeparatorChar)),
        };
        OnnxExportResult result = OnnxExporter.ExportToFile(model, outPath, options);
        console.WriteLine(FormattableString.Invariant(
            $"exported {result.Path}: {result.Bytes / 1e6:F2} MB, opset {result.Opset}, {result.NodeCount} nodes, {result.ParameterCount:N0} parameters, {result.ClassCount} classes, output '{result.Metadata.OutputName}'; from {Path.GetFileName(latest)} (step {info.Step}, {(info.WeightsFor(weights) == CheckpointWeights.Averaged ? "weight average" : "last step's weights")})"));
        if (result.RemovedModules.Count > 0) console.WriteLine($"left out (the identity in evaluation): {string.Join(", ", result.RemovedModules)}");

        if (check is null)
        {
            console.WriteLine("not checked in ONNX Runtime: no test set at hand.");
            return 0;
        }

        Comparison c = Compare(model, result, check, softmax);
        console.WriteLine(FormattableString.Invariant(
            $"checked in ONNX Runtime on the {c.Count:N0} images of '{check.Name}': same prediction for {c.Agree:N0}/{c.Count:N0}, largest |Δ{(softmax ? "probability" : "logit")}| {c.MaxDifference:E1} (tolerance {Tolerance:E0})"));
        if (c.OnnxAccuracy is double onnx && c.TorchAccuracy is double torchAccuracy)
        {
            console.WriteLine(FormattableString.Invariant($"{check.Name}: accuracy {onnx:F4} in ONNX Runtime, {torchAccuracy:F4} in TorchSharp"));
        }

        // Within the tolerance a near-tie may still flip a prediction; beyond it the file is wrong.
        if (c.MaxDifference > Tolerance)
        {
            throw new InvalidOperationException(FormattableString.Invariant(
                $"The exported model '{result.Path}' differs from the TorchSharp model by {c.MaxDifference:E2} (more than {Tolerance:E0}; {c.Count - c.Agree} prediction(s) differ); it should not be used. Please report this with the run folder."));
        }

        return 0;
    }

    private sealed record Comparison(int Agree, int Count, double MaxDifference, double? OnnxAccuracy, double? TorchAccuracy);

    /// <summary>Both runtimes on every image of <paramref name="set"/>, 256 at a time: agreement, largest difference and, with labels, accuracy.</summary>
    private static Comparison Compare(AdaptationModel model, OnnxExportResult result, SampleSet set, bool softmax)
    {
        const int batch = 256;
        OnnxModelMetadata metadata = result.Metadata;
        int size = (int)metadata.InputShape.Aggregate(1L, (a, b) => a * b);
        int classes = result.ClassCount;
        long[]? labels = set.Labels?.data<long>().ToArray();
        using var session = new InferenceSession(result.Path!);
        using var converter = new SampleConverter(ScalarType.Float32, CPU, metadata.Mean is null ? null : new ChannelNormalisation(metadata.Mean, metadata.Std!));
        double max = 0;
        int agree = 0, onnxCorrect = 0, torchCorrect = 0, count = (int)set.Count;
        for (int start = 0; start < count; start += batch)
        {
            int n = Math.Min(batch, count - start);
            float[] expected;
            byte[] pixels;
            using (var scope = NewDisposeScope())
            using (no_grad())
            {
                TorchSharp.torch.Tensor stored = set.Slice(start, n);
                TorchSharp.torch.Tensor logits = model.call(converter.Convert(stored));
                if (softmax) logits = logits.softmax(1);
                expected = logits.contiguous().data<float>().ToArray();
                pixels = stored.contiguous().data<byte>().ToArray();
            }

            var input = new float[n * size];
            for (int i = 0; i < n; i++) metadata.Normalise(pixels.AsSpan(i * size, size), input.AsSpan(i * size, size));
            var tensor = new DenseTensor(input, [n, .. metadata.InputShape.Select(d => (int)d)]);
            using var outputs = session.Run([NamedOnnxValue.CreateFromTensor(OnnxModelMetadata.InputName, tensor)]);
            float[] actual = outputs.Single().AsEnumerable<float>().ToArray();
            for (int i = 0; i < n; i++)
            {
                int a = ArgMax(actual.AsSpan(i * classes, classes)), e = ArgMax(expected.AsSpan(i * classes, classes));
                if (a == e) agree++;
                if (labels is not null && a == labels[start + i]) onnxCorrect++;
                if (labels is not null && e == labels[start + i]) torchCorrect++;
                for (int k = 0; k < classes; k++) max = Math.Max(max, Math.Abs((double)actual[i * classes + k] - expected[i * classes + k]));
            }
        }

        return labels is null
            ? new Comparison(agree, count, max, null, null)
            : new Comparison(agree, count, max, onnxCorrect / (double)count, torchCorrect / (double)count);
    }

    private static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int k = 1; k < row.Length; k++) if (row[k] > row[best]) best = k;
        return best;
    }
}
