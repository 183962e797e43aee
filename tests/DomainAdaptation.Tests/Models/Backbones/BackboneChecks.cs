using DomainAdaptation.Data;
using DomainAdaptation.Models;
using DomainAdaptation.Tests.TestSupport;
using DomainAdaptation.Training;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Models.Backbones;

/// <summary>The checks every torchvision backbone gets (ResNetTests, MobileNetV2Tests), on a builder or a fresh module.</summary>
internal static class BackboneChecks
{
    /// <summary>Every method name of the catalogue.</summary>
    public static TheoryData<string> EveryMethod()
    {
        var data = new TheoryData<string>();
        foreach (MethodDescriptor d in MethodCatalog.All) data.Add(d.Name);
        return data;
    }

    /// <summary>12 random uint8 3×32×32 images per domain, 3 classes.</summary>
    public static DomainDataset Images(int count, int seed)
    {
        var generator = new Generator((ulong)seed);
        SampleSet Set(string name) => new(name, randint(0, 256, [count, 3, 32, 32], dtype: ScalarType.Byte, generator: generator), randint(0, 3, [count], generator: generator), 3);
        return new DomainDataset("random images", Set("source"), Set("target"));
    }

    /// <summary>Two steps of <paramref name="method"/> on a preset (seed 1; seed 2 for a method's second model) give finite losses.</summary>
    public static void TrainsWithFiniteLosses(Func<long, AdaptationModelBuilder> preset, string method)
    {
        AdaptationModelBuilder builder = preset(1);
        using AdaptationModel model = builder.Build();
        using AdaptationMethod adaptation = MethodCatalog.Create(method, new MethodRequest { DomainClassifier = builder.DomainClassifier, CreateModel = () => preset(2).Build() });
        using var data = Images(12, seed: 5);
        var options = new AdaptationTrainerOptions { Steps = 2, BatchSizePerDomain = 4, Seed = 1, Monitoring = { LogInterval = 0 }, Evaluation = { Interval = 0 } };
        using var trainer = new AdaptationTrainer(model, data, adaptation, options);

        var steps = new List<StepMetrics>();
        trainer.Train(new SyncProgress<StepMetrics>(steps.Add));

        steps.Should().HaveCount(2);
        steps.Should().OnlyContain(s => double.IsFinite(s.TotalLoss));
    }

    /// <summary>
    /// Fresh modules (global seed 1) give finite gradients, the same every time, even when the allocator hands out
    /// memory that held NaN (libtorch 2.10's unwritten-gradient bug; docs/lab/libtorch-conv-backward-nan.md).
    /// </summary>
    public static void FreshModelsGiveFiniteRepeatableGradients(Func<nn.Module<Tensor, Tensor>> create, string watchedParameter, int trials)
    {
        using Tensor input = rand([4, 3, 32, 32], generator: new Generator(7));
        Tensor? first = null;
        for (int trial = 0; trial < trials; trial++)
        {
            using (Tensor garbage = full([1L << (trial % 16)], float.NaN)) { }
            random.manual_seed(1);
            using nn.Module<Tensor, Tensor> net = create();
            net.train();
            using var scope = NewDisposeScope();

            net.call(input).square().mean().backward();

            foreach (var (name, p) in net.named_parameters())
                p.grad!.isfinite().all().item<bool>().Should().BeTrue($"the gradient of {name} in trial {trial} is finite");
            Tensor g = net.named_parameters().First(p => p.name == watchedParameter).parameter.grad!;
            if (first is null) first = g.detach().clone().MoveToOuterDisposeScope();
            else g.allclose(first, 1e-4, 1e-6).Should().BeTrue($"trial {trial} repeats trial 0's gradient");
        }

        first!.Dispose();
    }
}
