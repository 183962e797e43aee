using System.Globalization;
using DomainAdaptation.Data;
using DomainAdaptation.Data.Batching;
using DomainAdaptation.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Selection;

/// <summary>A model's outputs on one set of samples, float64 on the CPU: features <c>[N, F]</c>, logits <c>[N, K]</c>, labels when known.</summary>
/// <param name="Features">The features the heads see.</param>
/// <param name="Logits">The class logits.</param>
/// <param name="Labels">int64 labels <c>[N]</c>, or null (unlabelled target samples).</param>
public sealed record ModelOutputs(Tensor Features, Tensor Logits, Tensor? Labels) : IDisposable
{
    /// <summary>The number of samples.</summary>
    public long Count => Logits.shape[0];

    /// <summary>The softmax of the logits <c>[N, K]</c> (a new tensor).</summary>
    public Tensor Probabilities() => Logits.softmax(1);

    /// <inheritdoc />
    public void Dispose()
    {
        Features.Dispose();
        Logits.Dispose();
        Labels?.Dispose();
    }
}

/// <summary>
/// What a validator scores a trained model from — labelled source data and unlabelled target data, never a target
/// label — and the model's outputs on them, computed once (in evaluation mode, without gradients) and shared by every
/// validator that reads them.
/// </summary>
/// <remarks>
/// Samples: the held-out labelled source set (<see cref="SourceValidation"/>: e.g. the source test split), the
/// unlabelled target set (<see cref="Target"/>: the target training images), and optionally the source training set
/// (DEV needs it). Each is read up to <see cref="MaxSamples"/> samples, spread evenly over the set (every k-th sample), so
/// that the figures do not depend on the order of the files.
/// </remarks>
public sealed class ValidationData : IDisposable
{
    private ModelOutputs? _sourceValidation;
    private ModelOutputs? _target;
    private ModelOutputs? _sourceTrain;

    /// <summary>Prepares the data; nothing is computed until a validator asks.</summary>
    /// <param name="model">The trained model (for a method with an inference model, that model: a mean teacher's teacher).</param>
    /// <param name="converter">The model's input conversion (dtype, device and the normalisation it was trained with).</param>
    /// <param name="sourceValidation">Labelled source samples held out of training.</param>
    /// <param name="target">Unlabelled target samples (their labels, if the set has any, are never read).</param>
    /// <param name="sourceTrain">The labelled source samples of training, or null (needed by DEV only).</param>
    /// <param name="maxSamples">At most this many samples of each set; positive.</param>
    /// <param name="batchSize">Samples per forward pass; positive.</param>
    /// <exception cref="ArgumentException">When the held-out source set has no labels, a set is empty, or the shapes differ.</exception>
    public ValidationData(AdaptationModel model, SampleConverter converter, SampleSet sourceValidation, SampleSet target, SampleSet? sourceTrain = null, int maxSamples = 10_000, int batchSize = 512)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(converter);
        ArgumentNullException.ThrowIfNull(sourceValidation);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSamples);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (sourceValidation.Labels is null)
        {
            throw new ArgumentException($"The held-out source set '{sourceValidation.Name}' has no labels; validators score the model on labelled source samples and unlabelled target ones.", nameof(sourceValidation));
        }

        foreach (SampleSet set in new[] { sourceValidation, target }.Concat(sourceTrain is null ? [] : [sourceTrain]))
        {
            if (set.Count == 0) throw new ArgumentException($"The sample set '{set.Name}' is empty.", nameof(target));
            if (!set.Shape.Equals(sourceValidation.Shape))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The sample set '{set.Name}' has samples of shape {set.Shape}, but '{sourceValidation.Name}' has {sourceValidation.Shape}."), nameof(target));
            }
        }

        if (sourceTrain is not null && sourceTrain.Labels is null)
        {
            throw new ArgumentException($"The source training set '{sourceTrain.Name}' has no labels.", nameof(sourceTrain));
        }

        Model = model;
        Converter = converter;
        SourceValidation = sourceValidation;
        Target = target;
        SourceTrain = sourceTrain;
        MaxSamples = maxSamples;
        BatchSize = batchSize;
    }

    /// <summary>The model.</summary>
    public AdaptationModel Model { get; }

    /// <summary>The model's input conversion.</summary>
    public SampleConverter Converter { get; }

    /// <summary>The held-out labelled source samples.</summary>
    public SampleSet SourceValidation { get; }

    /// <summary>The unlabelled target samples.</summary>
    public SampleSet Target { get; }

    /// <summary>The source training samples, or null.</summary>
    public SampleSet? SourceTrain { get; }

    /// <summary>At most this many samples of each set are read.</summary>
    public int MaxSamples { get; }

    /// <summary>Samples per forward pass.</summary>
    public int BatchSize { get; }

    /// <summary>The model's outputs on the held-out source samples, with their labels.</summary>
    public ModelOutputs SourceValidationOutputs => _sourceValidation ??= Compute(SourceValidation, withLabels: true);

    /// <summary>The model's outputs on the target samples (no labels).</summary>
    public ModelOutputs TargetOutputs => _target ??= Compute(Target, withLabels: false);

    /// <summary>The model's outputs on the source training samples, with their labels.</summary>
    /// <exception cref="InvalidOperationException">When no source training set was given.</exception>
    public ModelOutputs SourceTrainOutputs => _sourceTrain ??= Compute(SourceTrain ?? throw new InvalidOperationException("This validator needs the source training samples (ValidationData's sourceTrain)."), withLabels: true);

    /// <inheritdoc />
    public void Dispose()
    {
        _sourceValidation?.Dispose();
        _target?.Dispose();
        _sourceTrain?.Dispose();
    }

    /// <summary>Indices of at most <paramref name="max"/> samples spread evenly over <paramref name="count"/>.</summary>
    internal static long[] Spread(int count, int max)
    {
        if (count <= max) return [.. Enumerable.Range(0, count).Select(i => (long)i)];
        return [.. Enumerable.Range(0, max).Select(i => (long)((double)i * count / max))];
    }

    private ModelOutputs Compute(SampleSet set, bool withLabels)
    {
        long[] indices = Spread(set.Count, MaxSamples);
        bool wasTraining = Model.training;
        Model.eval();
        try
        {
            using var noGrad = no_grad();
            using var outer = NewDisposeScope();
            using Tensor index = tensor(indices, ScalarType.Int64);
            var features = new List<Tensor>();
            var logits = new List<Tensor>();
            for (int start = 0; start < indices.Length; start += BatchSize)
            {
                int length = Math.Min(BatchSize, indices.Length - start);
                Tensor x = Converter.Convert(set.Gather(index.narrow(0, start, length)));
                Tensor f = Model.Features(x);
                features.Add(f.to_type(ScalarType.Float64).cpu());
                logits.Add(Model.ClassifyFeatures(f).to_type(ScalarType.Float64).cpu());
            }

            Tensor? labels = withLabels ? set.Labels!.index_select(0, index).cpu() : null;
            return new ModelOutputs(cat(features, 0).MoveToOuterDisposeScope(), cat(logits, 0).MoveToOuterDisposeScope(), labels?.MoveToOuterDisposeScope());
        }
        finally
        {
            Model.train(wasTraining);
        }
    }
}
