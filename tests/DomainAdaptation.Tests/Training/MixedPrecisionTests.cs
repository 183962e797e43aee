using DomainAdaptation.Data.Batching;
using DomainAdaptation.Tests.TestSupport;
using DomainAdaptation.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace DomainAdaptation.Tests.Training;

/// <summary>
/// <see cref="TrainingPrecision.BFloat16Mixed"/>: bfloat16 forward and backward passes, float32 master weights updated
/// by the optimizer and rounded back into the model after each step.
/// </summary>
[Collection(TorchSerial.Name)]
public class MixedPrecisionTests
{
    private const int Batch = 8;
    private const long Seed = 9;
    private const double LearningRate = 0.2;
    private const double Momentum = 0.9;
    private const int Steps = 3;

    private static readonly string[] Names =
        ["feature_extractor.fc.weight", "feature_extractor.fc.bias", "label_classifier.weight", "label_classifier.bias", "domain_head.weight", "domain_head.bias"];

    /// <summary>The model's parameters and the domain head's (as "domain_head.*"), as the trainer trains them.</summary>
    private static IEnumerable<(string Name, Parameter Parameter)> AllParameters(TestNet net) =>
        net.Model.named_parameters().Select(p => (p.name, p.parameter)).Concat(net.DomainHead.named_parameters().Select(p => ("domain_head." + p.name, p.parameter)));

    [Fact]
    public void Train_BFloat16Mixed_EqualsAHandWrittenMixedPrecisionLoop()
    {
        using var data = SyntheticData.Blobs(40, 24, features: 3, classes: 3, seed: 4, dtype: ScalarType.Float32);
        var model = TestModels.Mlp(3, 5, 3, seed: 17);
        var steps = new List<StepMetrics>();
        using (var trainer = TestTrainer.Create(model, data, Options(TrainingPrecision.BFloat16Mixed)))
        {
            trainer.Train(new SyncProgress<StepMetrics>(steps.Add));
        }

        // The reference: its own bfloat16 copy of the model for the passes, float32 masters, SGD with momentum written out.
        var compute = TestModels.Mlp(3, 5, 3, seed: 17);
        Dictionary<string, Tensor> masters = AllParameters(compute).ToDictionary(p => p.Name, p => p.Parameter.detach().clone());
        var momentum = new Dictionary<string, Tensor>();
        compute.Model.to(ScalarType.BFloat16);
        compute.DomainHead.to(ScalarType.BFloat16);
        compute.Model.train();
        var sampler = new DomainBatchSampler(40, 24, Batch, Seed);
        for (int step = 0; step < Steps; step++)
        {
            double p = step / (double)Steps;
            double lambda = (2.0 / (1.0 + Math.Exp(-10.0 * p))) - 1.0;
            double lr = LearningRate / Math.Pow(1.0 + (10.0 * p), 0.75);
            DomainBatchIndices indices = sampler.IndicesAt(step);
            Tensor xs = data.Source.Samples.index_select(0, tensor(indices.Source));
            Tensor ys = data.Source.Labels!.index_select(0, tensor(indices.Source));
            Tensor xt = data.Target.Samples.index_select(0, tensor(indices.Target));

            compute.Model.zero_grad();
            compute.DomainHead.zero_grad();
            Tensor features = compute.Model.Features(cat([xs, xt], 0).to_type(ScalarType.BFloat16));
            Tensor classLogits = compute.Model.ClassifyFeatures(features).to_type(ScalarType.Float32).narrow(0, 0, Batch);
            Tensor domainLogits = compute.DomainHead.call(features.ReverseGradient(lambda)).to_type(ScalarType.Float32).reshape(-1);
            Tensor labelLoss = F.cross_entropy(classLogits, ys);
            Tensor domainLoss = F.binary_cross_entropy_with_logits(domainLogits, cat([zeros(Batch), ones(Batch)], 0));
            steps[step].LabelLoss.Should().Be(labelLoss.ToDouble(), $"label loss of step {step + 1}");
            steps[step].Loss("domain").Should().Be(domainLoss.ToDouble(), $"domain loss of step {step + 1}");
            (labelLoss + (domainLoss * 1.0)).backward();

            using (no_grad())
            {
                foreach ((string name, Parameter parameter) in AllParameters(compute))
                {
                    parameter.grad!.dtype.Should().Be(ScalarType.BFloat16, "the backward pass runs in bfloat16");
                    Tensor g = parameter.grad!.to_type(ScalarType.Float32);
                    momentum[name] = momentum.TryGetValue(name, out Tensor? buffer) ? buffer.mul_(Momentum).add_(g) : g.clone();
                    masters[name].add_(momentum[name], alpha: -lr);
                    parameter.copy_(masters[name]); // rounds the master into the bfloat16 model
                }
            }
        }

        Dictionary<string, Tensor> trained = TestModels.Snapshot(model);
        foreach (string name in Names)
        {
            trained[name].dtype.Should().Be(ScalarType.Float32, $"{name} is float32 again after training");
            trained[name].equal(masters[name]).all().ToBoolean().Should().BeTrue($"{name} must equal the reference's master weights bitwise");
        }

        // The comparison would catch a trainer that ignored the option: full float32 training ends elsewhere.
        var full = TestModels.Mlp(3, 5, 3, seed: 17);
        using (var trainer = TestTrainer.Create(full, data, Options(TrainingPrecision.Full)))
        {
            trainer.Train();
        }

        Names.Max(name => TestModels.Snapshot(full)[name].sub(masters[name]).abs().max().ToDouble())
            .Should().BeGreaterThan(1e-5, "bfloat16 passes must change the trajectory, or this test proves nothing");
    }

    [Fact]
    public void Train_BFloat16Mixed_EvaluatesTheFloat32MasterWeights()
    {
        using var data = SyntheticData.Blobs(40, 30, features: 3, classes: 3, seed: 3, dtype: ScalarType.Float32);
        var model = TestModels.Mlp(3, 8, 3, seed: 11, batchNorm: true);
        using var trainer = TestTrainer.Create(model, data, new AdaptationTrainerOptions { Steps = 12, BatchSizePerDomain = 8, Seed = 4, Optimizer = { LearningRate = 0.1 }, Precision = { Mode = TrainingPrecision.BFloat16Mixed }, Evaluation = { Interval = 5 } });
        var evaluations = new List<DomainAdaptation.Evaluation.EvaluationMetrics>();
        TrainingResult result = trainer.Train(evaluations: new SyncProgress<DomainAdaptation.Evaluation.EvaluationMetrics>(evaluations.Add));

        evaluations.Select(e => e.Step).Should().Equal(5, 10, 12);
        model.parameters().Should().OnlyContain(p => p.dtype == ScalarType.Float32);
        model.Model.buffers().Where(b => b.is_floating_point()).Should().OnlyContain(b => b.dtype == ScalarType.Float32);
        Parameter[] masters = [.. trainer.Optimizers["main"].parameters()];
        Parameter[] weights = [.. AllParameters(model).Select(p => p.Parameter)];
        masters.Should().HaveSameCount(weights);
        for (int i = 0; i < weights.Length; i++)
        {
            weights[i].equal(masters[i]).all().ToBoolean().Should().BeTrue("outside training the model holds the master weights");
            ReferenceEquals(weights[i], masters[i]).Should().BeFalse("the optimizer updates the trainer's own float32 masters");
        }

        DomainAdaptation.Evaluation.EvaluationMetrics again;
        using (trainer.EvaluationMode())
        {
            again = trainer.Evaluator.Evaluate(model, data, discriminator: (IDomainDiscriminator)trainer.Method);
        }

        result.FinalEvaluation.SourceAccuracy.Should().Be(again.SourceAccuracy);
        result.FinalEvaluation.Target.MeanPredictionEntropy.Should().Be(again.Target.MeanPredictionEntropy);
        result.FinalEvaluation.DomainClassifierAccuracy.Should().Be(again.DomainClassifierAccuracy);
    }

    [Fact]
    public void Resume_BFloat16MixedAfterCancellation_ContinuesBitwise()
    {
        using var data = SyntheticData.Blobs(40, 30, features: 3, classes: 3, seed: 3, dtype: ScalarType.Float32);
        using var folderA = new TempDirectory();
        using var folderB = new TempDirectory();
        AdaptationTrainerOptions Options(string folder) => new() { Steps = 20, BatchSizePerDomain = 8, Seed = 4, Optimizer = { LearningRate = 0.1 }, Precision = { Mode = TrainingPrecision.BFloat16Mixed }, Checkpoints = { Directory = folder } };

        var straight = TestModels.Mlp(3, 8, 3, seed: 11, dropout: true, batchNorm: true);
        using (var trainer = TestTrainer.Create(straight, data, Options(folderA.Path)))
        {
            trainer.Train();
        }

        using var cancel = new CancellationTokenSource();
        var interrupted = TestModels.Mlp(3, 8, 3, seed: 11, dropout: true, batchNorm: true);
        using (var trainer = TestTrainer.Create(interrupted, data, Options(folderB.Path)))
        {
            var act = () => trainer.Train(new SyncProgress<StepMetrics>(m => { if (m.Step == 7) cancel.Cancel(); }), cancellationToken: cancel.Token);
            act.Should().Throw<TrainingCancelledException>().Which.Checkpoint!.Step.Should().Be(7);
            interrupted.parameters().Should().OnlyContain(p => p.dtype == ScalarType.Float32, "the model is float32 again after a cancelled run");
        }

        var resumed = TestModels.Mlp(3, 8, 3, seed: 60, dropout: true, batchNorm: true);
        using (var trainer = TestTrainer.Create(resumed, data, Options(folderB.Path)))
        {
            trainer.Resume(folderB.Path).Step.Should().Be(7);
            trainer.Train();
        }

        TestModels.BitwiseEqual(TestModels.Snapshot(straight), TestModels.Snapshot(resumed), out string difference).Should().BeTrue($"'{difference}' differs");
    }

    [Fact]
    public void Resume_CheckpointOfAnotherPrecision_ThrowsNamingTheOption()
    {
        using var data = SyntheticData.Blobs(20, 20, features: 2, classes: 2, seed: 1, dtype: ScalarType.Float32);
        using var folder = new TempDirectory();
        using (var trainer = TestTrainer.Create(TestModels.Mlp(2, 4, 2, seed: 1), data, new AdaptationTrainerOptions { Steps = 4, BatchSizePerDomain = 4, Checkpoints = { Directory = folder.Path, Interval = 2 } }))
        {
            trainer.Train();
        }

        using var mixed = TestTrainer.Create(TestModels.Mlp(2, 4, 2, seed: 1), data, new AdaptationTrainerOptions { Steps = 4, BatchSizePerDomain = 4, Precision = { Mode = TrainingPrecision.BFloat16Mixed } });
        var act = () => mixed.Resume(Path.Combine(folder.Path, "checkpoint-0000000002.dann"));
        act.Should().Throw<CheckpointException>().WithMessage("*Precision.Mode: checkpoint \"Full\", now \"BFloat16Mixed\"*");
    }

    [Fact]
    public void Validator_BFloat16MixedWithFloat64_FailsNamingBoth()
    {
        var result = new AdaptationTrainerOptionsValidator().Validate(null, new AdaptationTrainerOptions { Precision = { Mode = TrainingPrecision.BFloat16Mixed, Dtype = ScalarType.Float64 } });
        result.Failed.Should().BeTrue();
        result.FailureMessage.Should().Match("*Precision*Dtype is not Float32*");
    }

    [Fact]
    public void Train_BFloat16MixedWithWeightAverage_AveragesTheMasterWeightsWithoutChangingTraining()
    {
        using var data = SyntheticData.Blobs(40, 30, features: 3, classes: 3, seed: 3, dtype: ScalarType.Float32);
        AdaptationTrainerOptions Options(double decay) => new() { Steps = 12, BatchSizePerDomain = 8, Seed = 4, WeightAverageDecay = decay, Optimizer = { LearningRate = 0.1 }, Precision = { Mode = TrainingPrecision.BFloat16Mixed } };

        var plain = TestModels.Mlp(3, 8, 3, seed: 11);
        using (var trainer = TestTrainer.Create(plain, data, Options(0)))
        {
            trainer.Train();
        }

        // The average by hand, from the float32 masters after each step: θ̄ₙ = dₙ θ̄ₙ₋₁ + (1 − dₙ) θₙ, dₙ = min(0.5, (1+n)/(10+n)).
        var averaged = TestModels.Mlp(3, 8, 3, seed: 11);
        Dictionary<string, double[]> expected = TestModels.Snapshot(averaged).ToDictionary(kv => kv.Key, kv => kv.Value.to_type(ScalarType.Float64).data<double>().ToArray());
        var copy = TestModels.Mlp(3, 8, 3, seed: 99);
        using (var trainer = TestTrainer.Create(averaged, data, Options(0.5)))
        {
            string[] names = [.. AllParameters(averaged).Select(p => p.Name)];
            trainer.Train(new SyncProgress<StepMetrics>(m =>
            {
                double d = Math.Min(0.5, (1.0 + m.Step) / (10.0 + m.Step));
                Parameter[] masters = [.. trainer.Optimizers["main"].parameters()];
                for (int i = 0; i < names.Length; i++)
                {
                    masters[i].dtype.Should().Be(ScalarType.Float32);
                    double[] now = masters[i].to_type(ScalarType.Float64).data<double>().ToArray();
                    double[] average = expected[names[i]];
                    for (int j = 0; j < average.Length; j++) average[j] = (d * average[j]) + ((1 - d) * now[j]);
                }
            }));
            trainer.WeightAverage!.Updates.Should().Be(12);
            trainer.CopyAverageTo(copy);
            trainer.WeightAverage.CopyTo(copy.DomainHead, "method.domain_classifier.");
        }

        TestModels.BitwiseEqual(TestModels.Snapshot(plain), TestModels.Snapshot(averaged), out string difference)
            .Should().BeTrue($"'{difference}' differs although averaging must not change mixed-precision training");
        Dictionary<string, Tensor> result = TestModels.Snapshot(copy);
        foreach ((string name, double[] values) in expected)
        {
            result[name].dtype.Should().Be(ScalarType.Float32);
            double worst = result[name].to_type(ScalarType.Float64).sub(tensor(values, ScalarType.Float64).reshape(result[name].shape)).abs().max().ToDouble();
            worst.Should().BeLessThan(1e-6, $"{name}: the average of the float32 masters");
        }

        result.Keys.Should().BeEquivalentTo(expected.Keys);
        TestModels.BitwiseEqual(TestModels.Snapshot(copy), TestModels.Snapshot(averaged), out _).Should().BeFalse("the average differs from the last weights");
    }

    [Fact]
    public void Validator_UndefinedPrecision_Fails()
    {
        var result = new AdaptationTrainerOptionsValidator().Validate(null, new AdaptationTrainerOptions { Precision = { Mode = (TrainingPrecision)7 } });
        result.Failed.Should().BeTrue();
        result.FailureMessage.Should().Contain("Precision");
    }

    [Theory]
    [InlineData(DeviceType.CPU, false, true)]
    [InlineData(DeviceType.CPU, true, false)]
    [InlineData(DeviceType.CUDA, false, false)]
    public void IsEmulated_DeviceAndCpuFeatures_TrueOnlyOnACpuWithoutNativeBFloat16(DeviceType device, bool native, bool expected) =>
        MixedPrecision.IsEmulated(device, native).Should().Be(expected);

    [Theory]
    [InlineData(TrainingPrecision.BFloat16Mixed)]
    [InlineData(TrainingPrecision.Full)]
    public void Constructor_OnThisCpu_WarnsOfEmulatedBFloat16ExactlyWhenItIsEmulated(TrainingPrecision precision)
    {
        using var data = SyntheticData.Blobs(40, 24, features: 3, classes: 3, seed: 4, dtype: ScalarType.Float32);
        using var logs = new ListLoggerProvider();
        TestTrainer.Create(TestModels.Mlp(3, 5, 3, seed: 17), data, Options(precision), logs.CreateLogger("trainer")).Dispose();

        bool expected = precision == TrainingPrecision.BFloat16Mixed && !DomainAdaptation.Runtime.CpuFeatures.HasNativeBFloat16;
        logs.Messages.Any(m => m.Contains("emulates bfloat16", StringComparison.Ordinal)).Should().Be(expected,
            $"precision {precision}, native bfloat16 on this CPU: {DomainAdaptation.Runtime.CpuFeatures.HasNativeBFloat16}");
    }

    private static AdaptationTrainerOptions Options(TrainingPrecision precision) => new()
    {
        Steps = Steps,
        BatchSizePerDomain = Batch,
        Seed = Seed,
        Optimizer = { LearningRate = LearningRate, Momentum = Momentum },
        Precision = { Mode = precision },
    };
}
