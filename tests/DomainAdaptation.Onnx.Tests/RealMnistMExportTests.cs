using DomainAdaptation.Data;
using DomainAdaptation.Data.Batching;
using DomainAdaptation.Data.Datasets;
using DomainAdaptation.Evaluation;
using DomainAdaptation.Methods;
using DomainAdaptation.Models;
using DomainAdaptation.Training;
using DomainAdaptation.Training.Optimization;
using static TorchSharp.torch;

namespace DomainAdaptation.Onnx.Tests;

/// <summary>
/// On the real MNIST-M test set (9,001 images): a modern-preset DANN model trained for a few hundred steps, exported,
/// and run in ONNX Runtime from the uint8 pixels through the metadata's normalisation gives the same predictions — hence
/// exactly the same accuracy — as TorchSharp's evaluator.
/// </summary>
public class RealMnistMExportTests
{
    [Fact]
    public void Export_TrainedModernDann_SameMnistMTestAccuracyAsEvaluator()
    {
        using DigitsProblem digits = DigitDatasets.MnistToMnistM(TestData.Root, DigitsGeometry.Rgb32);
        SampleShape shape = digits.Train.SampleShape;
        AdaptationModelBuilder builder = ModelPresets.MnistModern(shape, 10, seed: 1);
        using AdaptationModel model = builder.Build();
        using AdaptationMethod dann = MethodCatalog.Create("dann", new MethodRequest { DomainClassifier = builder.DomainClassifier });
        var options = new AdaptationTrainerOptions
        {
            Steps = 300,
            BatchSizePerDomain = 64,
            Seed = 1,
            Device = "cpu",
            Optimizer = { Kind = OptimizerKind.Adam, LearningRate = 1e-3 },
            Input = { Normalisation = NormalisationKind.MeanStdOverBothDomains },
            BatchNormMode = BatchNormMode.Separate,
            Evaluation = { Interval = 0 },
        };
        using var trainer = new AdaptationTrainer(model, digits.Train, dann, options);
        trainer.Train();

        using var converter = new SampleConverter(ScalarType.Float32, CPU, trainer.Normalisation);
        var evaluator = new Evaluator(converter);
        long[] torchPredictions;
        using (Tensor predicted = evaluator.PredictLabels(model, digits.TargetTest)) torchPredictions = predicted.data<long>().ToArray();
        long[] labels = digits.TargetTest.Labels!.data<long>().ToArray();

        byte[] onnx = OnnxExporter.ExportToBytes(model, new OnnxExportOptions { InputShape = shape, Normalisation = trainer.Normalisation, Method = "dann" });
        using var runtime = new OnnxRuntimeRunner(onnx);
        var metadata = OnnxModelMetadata.FromProperties(runtime.Session.ModelMetadata.CustomMetadataMap, "memory");
        long[] onnxPredictions = PredictWithOnnx(runtime, metadata, digits.TargetTest);

        double torchAccuracy = Accuracy(torchPredictions, labels), onnxAccuracy = Accuracy(onnxPredictions, labels);
        torchAccuracy.Should().BeGreaterThan(0.3, "300 steps of DANN learn something (a broken pipeline would give 0.1)");
        onnxPredictions.Zip(torchPredictions).Count(p => p.First != p.Second).Should().Be(0);
        onnxAccuracy.Should().Be(torchAccuracy);
    }

    private static long[] PredictWithOnnx(OnnxRuntimeRunner runtime, OnnxModelMetadata metadata, SampleSet set)
    {
        const int batch = 256;
        byte[] pixels = set.Samples.data<byte>().ToArray();
        int size = (int)metadata.InputShape.Aggregate(1L, (a, b) => a * b);
        int classes = metadata.ClassNames.Count;
        var predictions = new long[set.Count];
        for (int start = 0; start < set.Count; start += batch)
        {
            int n = Math.Min(batch, (int)set.Count - start);
            var input = new float[n * size];
            for (int i = 0; i < n; i++) metadata.Normalise(pixels.AsSpan((start + i) * size, size), input.AsSpan(i * size, size));
            float[] logits = runtime.Run(input, [n, .. metadata.InputShape]);
            for (int i = 0; i < n; i++)
            {
                ReadOnlySpan<float> row = logits.AsSpan(i * classes, classes);
                int best = 0;
                for (int k = 1; k < classes; k++) if (row[k] > row[best]) best = k;
                predictions[start + i] = best;
            }
        }

        return predictions;
    }

    private static double Accuracy(long[] predictions, long[] labels) => predictions.Zip(labels).Count(p => p.First == p.Second) / (double)labels.Length;
}
