using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using DomainAdaptation.Data;
using DomainAdaptation.Models;
using DomainAdaptation.Onnx;
using DomainAdaptation.Runtime;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Benchmarks.Macro;

/// <summary>
/// ONNX Runtime against TorchSharp's evaluation on the same model (exported by DomainAdaptation.Onnx): images/s and
/// latency per batch at batch sizes 1 and 256, in interleaved rounds within one process so that both meet the same
/// machine state. Each pass starts from a ready float32 input and ends with the logits in a managed array.
/// </summary>
internal static class OnnxCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The <c>onnx</c> command.</summary>
    public static Command Create()
    {
        var threads = HarnessOptions.Threads(Environment.ProcessorCount);
        var preset = HarnessOptions.Choice("--preset", "The model preset", "modern", "paper");
        var rounds = HarnessOptions.Int("--rounds", 5, "Interleaved rounds");
        var ms = HarnessOptions.Int("--ms", 1500, "Milliseconds per round and engine");
        var json = HarnessOptions.Json();
        var command = new Command("onnx", "ONNX Runtime against TorchSharp eval on the same exported model: images/s and ms per batch at batch 1 and 256, interleaved rounds in one process")
        {
            threads, preset, rounds, ms, json,
        };
        command.SetAction(p => Run(p.GetValue(threads), p.GetValue(rounds), p.GetValue(ms) / 1000.0, p.GetValue(preset)!, p.GetValue(json)));
        return command;
    }

    public static OnnxBenchmarkResult Run(int threads, int rounds, double seconds, string preset, string? json)
    {

        RunContext context = RunContext.Start("onnx", MallocMode.Tuned, threads, channelsLast: true, imageSize: 32);
        Console.WriteLine(context.Describe() + $"; preset {preset}; ONNX Runtime {typeof(InferenceSession).Assembly.GetName().Version}, intra-op threads {threads}");
        SampleShape shape = SampleShape.Image(3, 32, 32);
        using AdaptationModel model = (preset == "modern" ? ModelPresets.MnistModern(shape, seed: 1) : ModelPresets.Mnist(shape, seed: 1)).Build();
        model.eval();
        byte[] onnx = OnnxExporter.ExportToBytes(model, new OnnxExportOptions { InputShape = shape });
        using var sessionOptions = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        using var session = new InferenceSession(onnx, sessionOptions);

        var rows = new List<OnnxBenchmarkRow>();
        foreach (int batch in new[] { 1, 256 })
        {
            using var input = torch.rand([batch, 3, 32, 32], generator: new torch.Generator(7));
            float[] flat = input.data<float>().ToArray();
            var tensor = new DenseTensor<float>(flat, [batch, 3, 32, 32]);
            var inputs = new[] { NamedOnnxValue.CreateFromTensor(OnnxModelMetadata.InputName, tensor) };

            float[] TorchPass()
            {
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                return model.call(input).data<float>().ToArray();
            }

            float[] OnnxPass()
            {
                using var outputs = session.Run(inputs);
                return outputs.Single().AsEnumerable<float>().ToArray();
            }

            double difference = TorchPass().Zip(OnnxPass(), (x, y) => Math.Abs((double)x - y)).Max();
            var torchMs = new List<double>();
            var onnxMs = new List<double>();
            for (int round = 0; round < rounds + 1; round++)
            {
                // Round 0 warms both up; then TorchSharp and ONNX Runtime alternate, each for --ms per round.
                bool keep = round > 0;
                Measure(TorchPass, seconds, keep ? torchMs : null);
                Thread.Sleep(100);
                Measure(OnnxPass, seconds, keep ? onnxMs : null);
                Thread.Sleep(100);
            }

            var row = new OnnxBenchmarkRow(batch, Summary.Of(torchMs), Summary.Of(onnxMs), batch * 1000.0 / Summary.Of(torchMs).Median, batch * 1000.0 / Summary.Of(onnxMs).Median, difference);
            rows.Add(row);
            Console.WriteLine(string.Create(Inv,
                $"batch {batch,3}: TorchSharp eval {row.TorchSharpImagesPerSecond,8:F0} images/s (median {row.TorchSharpMs.Median:F3} ms per batch, p90 {row.TorchSharpMs.P90:F3}); " +
                $"ONNX Runtime {row.OnnxRuntimeImagesPerSecond,8:F0} images/s (median {row.OnnxRuntimeMs.Median:F3} ms, p90 {row.OnnxRuntimeMs.P90:F3}); " +
                $"ONNX Runtime / TorchSharp {row.OnnxRuntimeImagesPerSecond / row.TorchSharpImagesPerSecond:F2}×; largest |Δlogit| {difference:E1}"));
        }

        var result = new OnnxBenchmarkResult(context, preset, rounds, seconds, rows);
        Json.Write(json, result);
        return result;
    }

    private static void Measure(Func<float[]> pass, double seconds, List<double>? into)
    {
        long end = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        do
        {
            long start = Stopwatch.GetTimestamp();
            _ = pass();
            into?.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        while (Stopwatch.GetTimestamp() < end);
    }
}

/// <summary>One batch size of the ONNX benchmark.</summary>
internal sealed record OnnxBenchmarkRow(int Batch, Summary TorchSharpMs, Summary OnnxRuntimeMs, double TorchSharpImagesPerSecond, double OnnxRuntimeImagesPerSecond, double MaxLogitDifference);

/// <summary>The ONNX benchmark.</summary>
internal sealed record OnnxBenchmarkResult(RunContext Context, string Preset, int Rounds, double SecondsPerRound, IReadOnlyList<OnnxBenchmarkRow> Rows);
