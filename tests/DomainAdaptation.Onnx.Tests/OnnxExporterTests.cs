using DomainAdaptation.Data;
using DomainAdaptation.Data.Batching;
using DomainAdaptation.Models;
using Microsoft.Extensions.Options;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DomainAdaptation.Onnx.Tests;

/// <summary>
/// The exported graph computes what the model computes in evaluation mode: ONNX Runtime's outputs against TorchSharp's
/// for every preset, batch sizes 1 and 7, with batch-norm running statistics and affine parameters set away from their
/// initial values (so that an export that used the wrong statistics, or training-mode batch norm, would fail).
/// </summary>
public class OnnxExporterTests
{
    private const double Tolerance = 1e-4;

    public static TheoryData<string> Presets => new() { "paper-28", "paper-32", "paper-32-nchw", "modern-32", "svhn-32", "modern-32-bottleneck", "mlp-sigmoid", "mlp-tanh", "mlp-relu", "resnet18-w8-32", "resnet34-w8-40", "resnet50-w4-64", "mobilenet-v2-a035-32" };

    [Theory]
    [MemberData(nameof(Presets))]
    public void Export_Preset_OnnxRuntimeMatchesTorchSharpEval(string preset)
    {
        (AdaptationModel model, SampleShape shape) = Build(preset);
        using (model)
        {
            Perturb(model, seed: 7);
            byte[] onnx = OnnxExporter.ExportToBytes(model, new OnnxExportOptions { InputShape = shape });
            KeepForChecker(preset, onnx);
            using var runtime = new OnnxRuntimeRunner(onnx);

            foreach (int batch in new[] { 1, 7 })
            {
                using var scope = NewDisposeScope();
                var generator = new Generator((ulong)(100 + batch));
                Tensor input = randn([batch, .. shape.Dimensions], generator: generator);
                float[] expected = Eval(model, input);
                float[] actual = runtime.Run(input.data<float>().ToArray(), input.shape);

                actual.Length.Should().Be(expected.Length);
                MaxAbsDifference(actual, expected).Should().BeLessThan(Tolerance, $"{preset}, batch {batch}");
            }
        }
    }

    [Fact]
    public void Export_Float64Model_WritesFloat32WeightsThatMatch()
    {
        (AdaptationModel model, SampleShape shape) = Build("modern-32");
        using (model)
        {
            Perturb(model, seed: 3);
            model.to(ScalarType.Float64);
            byte[] onnx = OnnxExporter.ExportToBytes(model, new OnnxExportOptions { InputShape = shape });
            using var runtime = new OnnxRuntimeRunner(onnx);
            using var scope = NewDisposeScope();
            Tensor input = randn([4, .. shape.Dimensions], generator: new Generator(5));

            float[] expected = Eval(model, input.to_type(ScalarType.Float64));
            float[] actual = runtime.Run(input.data<float>().ToArray(), input.shape);

            MaxAbsDifference(actual, expected).Should().BeLessThan(Tolerance);
        }
    }

    [Fact]
    public void Export_IncludeSoftmax_GivesProbabilities()
    {
        (AdaptationModel model, SampleShape shape) = Build("paper-32");
        using (model)
        {
            byte[] onnx = OnnxExporter.ExportToBytes(model, new OnnxExportOptions { InputShape = shape, IncludeSoftmax = true });
            using var runtime = new OnnxRuntimeRunner(onnx);
            using var scope = NewDisposeScope();
            Tensor input = randn([3, .. shape.Dimensions], generator: new Generator(9));

            float[] expected = Eval(model, input, softmax: true);
            float[] actual = runtime.Run(input.data<float>().ToArray(), input.shape);

            runtime.Session.OutputMetadata.Keys.Should().Equal("probabilities");
            MaxAbsDifference(actual, expected).Should().BeLessThan(Tolerance);
            for (int row = 0; row < 3; row++) actual.Skip(row * 10).Take(10).Sum().Should().BeApproximately(1f, 1e-5f);
        }
    }

    [Fact]
    public void Export_Graph_HasDynamicBatchNamedWeightsAndNoDropout()
    {
        (AdaptationModel model, SampleShape shape) = Build("modern-32");
        using (model)
        {
            byte[] onnx = OnnxExporter.ExportToBytes(model, new OnnxExportOptions { InputShape = shape });
            var proto = Proto.ModelProto.Parser.ParseFrom(onnx);

            proto.OpsetImport.Single().Version.Should().Be(17);
            proto.IrVersion.Should().Be(8);
            proto.Graph.Input.Single().Type.TensorType.Shape.Dim.Select(d => d.DimParam.Length > 0 ? d.DimParam : d.DimValue.ToString()).Should().Equal("batch", "3", "32", "32");
            proto.Graph.Output.Single().Name.Should().Be("logits");
            proto.Graph.Node.Select(n => n.OpType).Should().NotContain(["Dropout", "Transpose"], "dropout is the identity in evaluation and channels-last is a memory layout");
            proto.Graph.Initializer.Select(t => t.Name).Should().Contain(["feature_extractor.conv1.weight", "feature_extractor.bn1.running_mean", "label_classifier.fc3.bias"]);
            proto.Graph.Initializer.Select(t => t.Name).Should().NotContain(n => n.StartsWith("domain", StringComparison.Ordinal), "the domain classifier belongs to the method, not to the shipped model");
        }
    }

    [Fact]
    public void Export_LeavesModelModeAndWeightsUnchanged()
    {
        (AdaptationModel model, SampleShape shape) = Build("modern-32");
        using (model)
        {
            model.train();
            float[] before = model.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();

            OnnxExporter.ExportToBytes(model, new OnnxExportOptions { InputShape = shape });

            model.training.Should().BeTrue();
            model.parameters().SelectMany(p => p.data<float>().ToArray()).Should().Equal(before);
            model.modules().OfType<BatchNorm>().Single(b => b.num_features == 32).num_batches_tracked!.item<long>().Should().Be(0, "the probe pass runs in evaluation mode");
        }
    }

    [Fact]
    public void Export_Metadata_RoundTripsThroughOnnxRuntime()
    {
        (AdaptationModel model, SampleShape shape) = Build("paper-32");
        using (model)
        {
            string[] classes = Enumerable.Range(0, 10).Select(i => "digit " + i).ToArray();
            var normalisation = new ChannelNormalisation([0.45, 0.46, 0.42], [0.25, 0.24, 0.26]);
            OnnxExportResult result;
            byte[] onnx;
            using (var memory = new MemoryStream())
            {
                result = OnnxExporter.Export(model, memory, new OnnxExportOptions
                {
                    InputShape = shape,
                    ClassNames = classes,
                    Normalisation = normalisation,
                    Method = "dann+mcc",
                    RunId = "run-42",
                });
                onnx = memory.ToArray();
            }

            using var runtime = new OnnxRuntimeRunner(onnx);
            var read = OnnxModelMetadata.FromProperties(runtime.Session.ModelMetadata.CustomMetadataMap, "memory");

            read.InputShape.Should().Equal(3L, 32L, 32L);
            read.ClassNames.Should().Equal(classes);
            read.Mean.Should().Equal(normalisation.Mean);
            read.Std.Should().Equal(normalisation.Std);
            (read.Output, read.Method, read.RunId).Should().Be((OnnxOutputKind.Logits, "dann+mcc", "run-42"));
            result.ClassCount.Should().Be(10);
            result.Bytes.Should().Be(onnx.Length);
            result.ParameterCount.Should().Be(model.parameters().Sum(p => p.numel()) + 0, "the paper network has no batch norm: the initializers are exactly its parameters");
            result.RemovedModules.Should().Equal("feature_extractor.channels_last");
        }
    }

    [Fact]
    public void Export_CustomModule_NamesItsPathAndType()
    {
        var model = new AdaptationModel(
            nn.Sequential(("conv", nn.Conv2d(1, 4, 3)), ("odd", new Doubler()), ("flatten", nn.Flatten())),
            nn.Sequential(("fc", nn.Linear(4 * 6 * 6, 3))));

        Action act = () => OnnxExporter.ExportToBytes(model, new OnnxExportOptions { InputShape = SampleShape.Image(1, 8, 8) });

        act.Should().Throw<OnnxExportException>()
            .Where(e => e.ModulePath == "feature_extractor.odd" && e.ModuleType == nameof(Doubler))
            .WithMessage("Module 'feature_extractor.odd' (Doubler) cannot be exported to ONNX: *Supported: Sequential, ResNet*Conv2d*");
    }

    [Fact]
    public void Export_ReflectPaddedConv_IsRefusedNotApproximated()
    {
        var model = new AdaptationModel(
            nn.Sequential(("conv", nn.Conv2d(1, 2, 3, padding: 1, padding_mode: PaddingModes.Reflect)), ("flatten", nn.Flatten())),
            nn.Linear(2 * 8 * 8, 2));

        Action act = () => OnnxExporter.ExportToBytes(model, new OnnxExportOptions { InputShape = SampleShape.Image(1, 8, 8) });

        act.Should().Throw<OnnxExportException>().WithMessage("*'feature_extractor.conv' (Conv2d)*padding mode is Reflect*");
    }

    [Fact]
    public void Export_BatchNormWithoutRunningStatistics_IsRefused()
    {
        var model = new AdaptationModel(
            nn.Sequential(("fc", nn.Linear(4, 8)), ("bn", nn.BatchNorm1d(8, track_running_stats: false))),
            nn.Linear(8, 2));

        Action act = () => OnnxExporter.ExportToBytes(model, new OnnxExportOptions { InputShape = SampleShape.Vector(4) });

        act.Should().Throw<OnnxExportException>().WithMessage("*'feature_extractor.bn' (BatchNorm1d)*running statistics*");
    }

    [Fact]
    public void Export_PartialFlatten_IsRefused()
    {
        var model = new AdaptationModel(nn.Sequential(("flat", nn.Flatten(2)), ("fc", nn.Linear(4, 2)), ("flatten", nn.Flatten())), nn.Linear(2, 2));

        Action act = () => OnnxExporter.ExportToBytes(model, new OnnxExportOptions { InputShape = SampleShape.Image(1, 2, 2) });

        act.Should().Throw<OnnxExportException>().WithMessage("*'feature_extractor.flat' (Flatten)*start_dim 2*");
    }

    [Fact]
    public void Export_NoInputShape_FailsValidationNamingTheOption()
    {
        (AdaptationModel model, _) = Build("mlp-relu");
        using (model)
        {
            Action act = () => OnnxExporter.ExportToBytes(model, new OnnxExportOptions());

            act.Should().Throw<OptionsValidationException>().WithMessage("*InputShape is required*");
        }
    }

    [Fact]
    public void Export_WrongNumberOfClassNames_SaysBothCounts()
    {
        (AdaptationModel model, SampleShape shape) = Build("mlp-relu");
        using (model)
        {
            Action act = () => OnnxExporter.ExportToBytes(model, new OnnxExportOptions { InputShape = shape, ClassNames = ["a", "b", "c"] });

            act.Should().Throw<ArgumentException>().WithMessage("*3 names, but the model has 2 classes*");
        }
    }

    [Fact]
    public void Export_InputShapeTheModelRejects_SaysSo()
    {
        (AdaptationModel model, _) = Build("paper-32");
        using (model)
        {
            Action act = () => OnnxExporter.ExportToBytes(model, new OnnxExportOptions { InputShape = SampleShape.Image(1, 32, 32) });

            act.Should().Throw<ArgumentException>().WithMessage("*does not accept a sample of InputShape [1, 32, 32]*");
        }
    }

    [Fact]
    public void ExportToFile_WritesAtomicallyAndReplaces()
    {
        (AdaptationModel model, SampleShape shape) = Build("mlp-tanh");
        using (model)
        {
            string folder = Path.Combine(Path.GetTempPath(), "da-onnx-" + Guid.NewGuid().ToString("N")[..8]);
            try
            {
                string path = Path.Combine(folder, "sub", "model.onnx");
                OnnxExportResult first = OnnxExporter.ExportToFile(model, path, new OnnxExportOptions { InputShape = shape });
                OnnxExportResult second = OnnxExporter.ExportToFile(model, path, new OnnxExportOptions { InputShape = shape, RunId = "again" });

                first.Path.Should().Be(path);
                new FileInfo(path).Length.Should().Be(second.Bytes);
                Directory.GetFiles(Path.Combine(folder, "sub")).Should().Equal(path);
            }
            finally
            {
                if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>
    /// With DOMAINADAPTATION_ONNX_OUT set (eng/onnx-check.sh sets it), the exported file is also written there, for
    /// ONNX's own checker; CI does not set it.
    /// </summary>
    private static void KeepForChecker(string name, byte[] onnx)
    {
        string? folder = Environment.GetEnvironmentVariable("DOMAINADAPTATION_ONNX_OUT");
        if (string.IsNullOrWhiteSpace(folder)) return;
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, name + ".onnx"), onnx);
    }

    internal static (AdaptationModel Model, SampleShape Shape) Build(string preset)
    {
        SampleShape rgb32 = SampleShape.Image(3, 32, 32);
        AdaptationModelBuilder builder = preset switch
        {
            "paper-28" => ModelPresets.Mnist(SampleShape.Image(3, 28, 28), seed: 1),
            "paper-32" => ModelPresets.Mnist(rgb32, seed: 1),
            "paper-32-nchw" => ModelPresets.Mnist(rgb32, seed: 1, channelsLast: false),
            "modern-32" => ModelPresets.MnistModern(rgb32, seed: 1),
            "svhn-32" => ModelPresets.Svhn(rgb32, seed: 1),
            "modern-32-bottleneck" => Bottlenecked(ModelPresets.MnistModern(rgb32, seed: 1)),
            "mlp-sigmoid" => ModelPresets.Mlp(2, activation: HiddenActivation.Sigmoid, seed: 1),
            "mlp-tanh" => ModelPresets.Mlp(2, activation: HiddenActivation.Tanh, seed: 1),
            "mlp-relu" => ModelPresets.Mlp(2, activation: HiddenActivation.Relu, seed: 1),
            // Narrow ResNets (the layout and blocks of the full ones; width 64 only makes them slower to test).
            "resnet18-w8-32" => ModelPresets.ResNet(DomainAdaptation.Models.Backbones.ResNetDepth.ResNet18, rgb32, 10, bottleneckWidth: 32, width: 8, seed: 1),
            "resnet34-w8-40" => ModelPresets.ResNet(DomainAdaptation.Models.Backbones.ResNetDepth.ResNet34, SampleShape.Image(3, 40, 40), 5, bottleneckWidth: 32, width: 8, seed: 1),
            "resnet50-w4-64" => ModelPresets.ResNet(DomainAdaptation.Models.Backbones.ResNetDepth.ResNet50, SampleShape.Image(3, 64, 64), 7, bottleneckWidth: 32, width: 4, seed: 1),
            "mobilenet-v2-a035-32" => ModelPresets.MobileNetV2(rgb32, 6, bottleneckWidth: 32, widthMultiplier: 0.35, seed: 1),
            _ => throw new ArgumentOutOfRangeException(nameof(preset), preset, null),
        };
        return (builder.Build(), builder.InputShape!);
    }

    private static AdaptationModelBuilder Bottlenecked(AdaptationModelBuilder builder)
    {
        long features = builder.BackboneFeatures!.Value;
        torch.manual_seed(11);
        return builder.WithBottleneck(Heads.Bottleneck(features, 64), 64).WithLabelClassifier(Heads.Mlp(64, [32], 10)).WithDomainClassifier(Heads.Mlp(64, [32], 1));
    }

    /// <summary>Moves every batch norm's statistics and affine parameters away from their initial values.</summary>
    internal static void Perturb(AdaptationModel model, int seed)
    {
        var generator = new Generator((ulong)seed);
        using var noGrad = no_grad();
        foreach (BatchNorm bn in model.modules().OfType<BatchNorm>())
        {
            bn.running_mean!.copy_(randn(bn.num_features, generator: generator) * 0.3);
            bn.running_var!.copy_(rand(bn.num_features, generator: generator) + 0.5);
            bn.weight.copy_(rand(bn.num_features, generator: generator) + 0.5);
            bn.bias!.copy_(randn(bn.num_features, generator: generator) * 0.2);
        }
    }

    internal static float[] Eval(AdaptationModel model, Tensor input, bool softmax = false)
    {
        model.eval();
        using var noGrad = no_grad();
        Tensor output = model.call(input);
        if (softmax) output = output.softmax(1);
        return output.to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
    }

    internal static double MaxAbsDifference(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs((double)x - y)).Max();

    private sealed class Doubler() : nn.Module<Tensor, Tensor>(nameof(Doubler))
    {
        public override Tensor forward(Tensor input) => input * 2;
    }
}
