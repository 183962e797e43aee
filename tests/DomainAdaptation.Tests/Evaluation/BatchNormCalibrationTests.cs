using DomainAdaptation.Data;
using DomainAdaptation.Data.Batching;
using DomainAdaptation.Evaluation;
using DomainAdaptation.Tests.TestSupport;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Evaluation;

[Collection(TorchSerial.Name)]
public class BatchNormCalibrationTests
{
    [Fact]
    public void Calibrate_MlpWithBatchNorm_RunningStatisticsAreTheBatchAveragesOfTheLayerInput()
    {
        var model = TestModels.Mlp(3, 4, 2, seed: 1, batchNorm: true, dropout: true, dtype: ScalarType.Float64).Model;
        using var samples = new SampleSet("calibration", randn([10, 3], dtype: ScalarType.Float64, generator: new Generator(7)), null, 2);
        using var converter = new SampleConverter(ScalarType.Float64, CPU);
        var fc = (Linear)model.FeatureExtractor.named_modules().Single(m => m.name == "fc").module;
        var bn = (BatchNorm1d)model.FeatureExtractor.named_modules().Single(m => m.name == "bn").module;
        double? momentumBefore = bn.momentum;
        model.train();

        int layers = BatchNormCalibration.Calibrate(model, samples, converter, batchSize: 4);

        // Batches of 4, 4 and 2 samples; the cumulative average weights each batch equally, and the variance of each
        // batch is the unbiased one (as PyTorch's running_var).
        using var noGrad = no_grad();
        Tensor h = fc.forward(samples.Samples);
        Tensor[] batches = [h.narrow(0, 0, 4), h.narrow(0, 4, 4), h.narrow(0, 8, 2)];
        Tensor expectedMean = stack(batches.Select(b => b.mean([0])).ToArray()).mean([0]);
        Tensor expectedVar = stack(batches.Select(b => b.var(0, unbiased: true)).ToArray()).mean([0]);
        layers.Should().Be(1);
        bn.running_mean!.allclose(expectedMean, rtol: 1e-12, atol: 1e-12).Should().BeTrue();
        bn.running_var!.allclose(expectedVar, rtol: 1e-12, atol: 1e-12).Should().BeTrue();
        bn.num_batches_tracked!.ToInt64().Should().Be(3);
        bn.momentum.Should().Be(momentumBefore, "each layer's momentum is restored");
        model.training.Should().BeTrue("the model's mode is restored");
    }

    [Fact]
    public void Calibrate_LeavesLearnableParametersUnchanged()
    {
        var model = TestModels.Mlp(3, 4, 2, seed: 1, batchNorm: true, dtype: ScalarType.Float64).Model;
        using var samples = new SampleSet("calibration", randn([16, 3], dtype: ScalarType.Float64, generator: new Generator(3)), null, 2);
        using var converter = new SampleConverter(ScalarType.Float64, CPU);
        var before = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());

        BatchNormCalibration.Calibrate(model, samples, converter, batchSize: 8);

        foreach ((string name, Parameter parameter) in model.named_parameters())
        {
            parameter.eq(before[name]).all().ToBoolean().Should().BeTrue(name);
        }
    }

    [Fact]
    public void Calibrate_ModelWithoutBatchNorm_ReturnsZeroAndChangesNothing()
    {
        var model = TestModels.Mlp(3, 4, 2, seed: 1).Model;
        using var samples = new SampleSet("calibration", randn([8, 3], generator: new Generator(1)), null, 2);
        using var converter = new SampleConverter(ScalarType.Float32, CPU);
        var before = TestModels.Snapshot(model);

        BatchNormCalibration.Calibrate(model, samples, converter).Should().Be(0);

        TestModels.BitwiseEqual(before, TestModels.Snapshot(model), out string difference).Should().BeTrue(difference);
    }

    [Fact]
    public void Calibrate_Cancelled_RestoresTheRunningStatistics()
    {
        var model = TestModels.Mlp(3, 4, 2, seed: 1, batchNorm: true).Model;
        using var samples = new SampleSet("calibration", randn([8, 3], generator: new Generator(1)), null, 2);
        using var converter = new SampleConverter(ScalarType.Float32, CPU);
        var before = TestModels.Snapshot(model);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Action act = () => BatchNormCalibration.Calibrate(model, samples, converter, batchSize: 4, cancellationToken: cancelled.Token);

        act.Should().Throw<OperationCanceledException>();
        TestModels.BitwiseEqual(before, TestModels.Snapshot(model), out string difference).Should().BeTrue(difference);
    }

    [Fact]
    public void Calibrate_OneSample_ThrowsNamingTheSet()
    {
        var model = TestModels.Mlp(3, 4, 2, seed: 1, batchNorm: true).Model;
        using var samples = new SampleSet("tiny", randn([1, 3], generator: new Generator(1)), null, 2);
        using var converter = new SampleConverter(ScalarType.Float32, CPU);

        Action act = () => BatchNormCalibration.Calibrate(model, samples, converter);

        act.Should().Throw<ArgumentException>().WithMessage("*'tiny' offers 1*");
    }
}
