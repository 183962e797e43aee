using DomainAdaptation.Data;
using DomainAdaptation.Models;
using DomainAdaptation.Schedules;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace DomainAdaptation.Benchmarks.Macro;

/// <summary>
/// One DANN training step of the paper's MNIST network, written out by hand so that it mirrors
/// benchmarks/reference/dann_step.py line by line (until AdaptationTrainer exists and the harness can drive it instead):
/// sample 64 source + 64 target images (3×S×S, S the constructor's image size) from uint8 pools in memory,
/// convert to float32 and normalise, run the model on the 128 images, cross-entropy on the source half's class logits,
/// binary cross-entropy with logits on all 128 domain logits through the gradient reversal layer, backward, SGD
/// (momentum 0.9) with the paper's λ and learning-rate schedules.
/// </summary>
internal sealed class DannStepHarness : IDisposable
{
    public const int SourceBatch = 64;
    public const int TargetBatch = 64;
    public const double BaseLearningRate = 0.01;
    public const double Momentum = 0.9;
    public const double Mean = 0.5;
    public const double Std = 0.5;

    private readonly Device _device = CPU;
    private readonly Tensor _sourceImages;
    private readonly Tensor _sourceLabels;
    private readonly Tensor _targetImages;
    private readonly Tensor _domainLabels;
    private readonly Generator _sampling;
    private readonly TorchSharp.Modules.SGD _optimizer;
    private readonly ILambdaSchedule _lambda = LambdaSchedules.Ganin();
    private readonly ILearningRateSchedule _learningRate = LearningRateSchedules.Annealing();

    /// <param name="channelsLast">The preset's channels-last layer (its default: on).</param>
    /// <param name="imageSize">The images' height and width: 32 (MNIST padded, MNIST-M as released; the sample's default
    /// input) or 28 (the paper's).</param>
    /// <param name="poolSize">Images per domain held in memory (uint8, 3×<paramref name="imageSize"/>×<paramref name="imageSize"/>).</param>
    /// <param name="seed">Seeds the weights, the synthetic images and the sampling.</param>
    public DannStepHarness(bool channelsLast = true, int imageSize = 32, int poolSize = 4096, long seed = 1)
    {
        PoolSize = poolSize;
        AdaptationModelBuilder builder = ModelPresets.Mnist(SampleShape.Image(3, imageSize, imageSize), seed: seed, channelsLast: channelsLast)
            .WithDevice(_device)
            .WithDtype(ScalarType.Float32);
        Model = builder.Build();
        DomainClassifier = builder.DomainClassifier!;
        Model.train();
        DomainClassifier.train();

        using var data = new Generator((ulong)seed + 1);
        _sourceImages = randint(0, 256, [poolSize, 3, imageSize, imageSize], dtype: ScalarType.Byte, device: _device, generator: data);
        _sourceLabels = randint(0, 10, [poolSize], dtype: ScalarType.Int64, device: _device, generator: data);
        _targetImages = randint(0, 256, [poolSize, 3, imageSize, imageSize], dtype: ScalarType.Byte, device: _device, generator: data);
        _domainLabels = cat([zeros(SourceBatch, 1, device: _device), ones(TargetBatch, 1, device: _device)]);
        _sampling = new Generator((ulong)seed + 2);
        _optimizer = optim.SGD(Model.parameters().Concat(DomainClassifier.parameters()), BaseLearningRate, momentum: Momentum);
    }

    public AdaptationModel Model { get; }

    /// <summary>The paper's domain classifier, behind a gradient reversal layer.</summary>
    public nn.Module<Tensor, Tensor> DomainClassifier { get; }

    public int PoolSize { get; }

    /// <summary>Runs step <paramref name="step"/> of <paramref name="totalSteps"/>; returns the total loss.</summary>
    public float Step(long step, long totalSteps)
    {
        using var scope = NewDisposeScope();
        double p = Progress.Of(step, totalSteps);
        double lambda = _lambda.ValueAt(p);
        double lr = BaseLearningRate * _learningRate.FactorAt(p);
        foreach (var group in _optimizer.ParamGroups) group.LearningRate = lr;

        Tensor sourceIndex = randint(0, PoolSize, [SourceBatch], dtype: ScalarType.Int64, device: _device, generator: _sampling);
        Tensor targetIndex = randint(0, PoolSize, [TargetBatch], dtype: ScalarType.Int64, device: _device, generator: _sampling);
        Tensor x = cat([_sourceImages.index_select(0, sourceIndex), _targetImages.index_select(0, targetIndex)])
            .to(ScalarType.Float32).div_(255.0).sub_(Mean).div_(Std);
        Tensor y = _sourceLabels.index_select(0, sourceIndex);

        Tensor features = Model.Features(x);
        Tensor classLoss = cross_entropy(Model.ClassifyFeatures(features).narrow(0, 0, SourceBatch), y);
        Tensor domainLoss = binary_cross_entropy_with_logits(DomainClassifier.call(features.ReverseGradient(lambda)), _domainLabels);
        Tensor loss = classLoss + domainLoss;

        Model.zero_grad(set_to_none: true);
        DomainClassifier.zero_grad(set_to_none: true);
        loss.backward();
        _optimizer.step();
        return loss.item<float>();
    }

    /// <summary>Classifies <paramref name="batch"/> pool images (uint8 → float, normalise, features, label head, argmax) without gradients.</summary>
    public long Infer(int batch, Generator sampling)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor index = randint(0, PoolSize, [batch], dtype: ScalarType.Int64, device: _device, generator: sampling);
        Tensor x = _targetImages.index_select(0, index).to(ScalarType.Float32).div_(255.0).sub_(Mean).div_(Std);
        Tensor predicted = Model.forward(x).argmax(1);
        return predicted[0].item<long>();
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        Model.Dispose();
        DomainClassifier.Dispose();
        _sourceImages.Dispose();
        _sourceLabels.Dispose();
        _targetImages.Dispose();
        _domainLabels.Dispose();
        _sampling.Dispose();
    }
}
