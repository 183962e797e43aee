using System.Diagnostics;
using System.Globalization;
using DomainAdaptation.Data;
using DomainAdaptation.Data.Batching;
using DomainAdaptation.Methods;
using DomainAdaptation.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Evaluation;

/// <summary>
/// Evaluates an <see cref="AdaptationModel"/> in batches under <c>torch.no_grad()</c> and in evaluation mode (dropout off,
/// batch norm on running statistics), restoring the model's previous mode afterwards: the classifier path only
/// (feature extractor → bottleneck → label classifier), and, when a method's domain classifier is given
/// (<see cref="IDomainDiscriminator"/>), its accuracy on the same features. Inputs go through the same
/// <see cref="SampleConverter"/> as training batches. Put the discriminator's modules in evaluation mode too
/// (<see cref="Training.AdaptationTrainer.EvaluationMode"/> does both).
/// </summary>
public sealed class Evaluator
{
    /// <summary>Creates an evaluator.</summary>
    /// <param name="converter">The input conversion (dtype, device, normalisation) used in training.</param>
    /// <param name="batchSize">Samples per forward pass; positive.</param>
    public Evaluator(SampleConverter converter, int batchSize = 512)
    {
        ArgumentNullException.ThrowIfNull(converter);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        Converter = converter;
        BatchSize = batchSize;
    }

    /// <summary>The input conversion.</summary>
    public SampleConverter Converter { get; }

    /// <summary>Samples per forward pass.</summary>
    public int BatchSize { get; }

    /// <summary>Evaluates on both domains of <paramref name="data"/>, with the target labels when it has them.</summary>
    /// <param name="model">The model.</param>
    /// <param name="data">Source (labelled) and target samples.</param>
    /// <param name="step">The training step to stamp on the result.</param>
    /// <param name="maxSamples">Evaluate at most the first this many samples of each domain; 0 for all.</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    /// <param name="discriminator">A method's domain classifier to score on the same features, or null.</param>
    /// <returns>The metrics.</returns>
    public EvaluationMetrics Evaluate(AdaptationModel model, IDomainDataset data, long step = 0, int maxSamples = 0, CancellationToken cancellationToken = default, IDomainDiscriminator? discriminator = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        var clock = Stopwatch.StartNew();
        DomainEvaluation source = EvaluateDomain(model, data.Source, data.Source.Labels, DomainRole.Source, data.ClassCount, maxSamples, cancellationToken, discriminator);
        DomainEvaluation target = EvaluateDomain(model, data.Target, data.TargetLabelsForEvaluation, DomainRole.Target, data.ClassCount, maxSamples, cancellationToken, discriminator);
        return new EvaluationMetrics(step, source, target, clock.Elapsed);
    }

    /// <summary>Evaluates on one set of samples.</summary>
    /// <param name="model">The model.</param>
    /// <param name="samples">The samples (CPU storage).</param>
    /// <param name="labels">int64 labels <c>[N]</c> aligned with the samples, or null when unknown.</param>
    /// <param name="role">Whether these are source or target samples (for the domain classifier's accuracy).</param>
    /// <param name="classCount">The number of classes; 0 to take it from the model's output.</param>
    /// <param name="maxSamples">Evaluate at most the first this many samples; 0 for all.</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    /// <param name="discriminator">A method's domain classifier to score on the same features, or null.</param>
    /// <returns>The results.</returns>
    /// <exception cref="ArgumentException">When the labels do not match the samples or lie outside the classes.</exception>
    public DomainEvaluation EvaluateDomain(
        AdaptationModel model,
        SampleSet samples,
        Tensor? labels,
        DomainRole role,
        int classCount = 0,
        int maxSamples = 0,
        CancellationToken cancellationToken = default,
        IDomainDiscriminator? discriminator = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentOutOfRangeException.ThrowIfNegative(classCount);
        ArgumentOutOfRangeException.ThrowIfNegative(maxSamples);
        if (labels is not null && (labels.dtype != ScalarType.Int64 || labels.dim() != 1 || labels.shape[0] != samples.Count))
        {
            throw new ArgumentException($"Labels for '{samples.Name}' must be int64 [{samples.Count}], but were {labels.dtype} [{string.Join(", ", labels.shape)}].", nameof(labels));
        }

        int count = maxSamples > 0 ? Math.Min(samples.Count, maxSamples) : samples.Count;
        var predicted = new long[count];
        double entropySum = 0;
        long domainCorrect = 0;
        long classes = classCount;
        ForwardInBatches(model, samples, count, (start, length, features, logits) =>
        {
            classes = Math.Max(classes, logits.shape[1]);
            logits.argmax(1).cpu().data<long>().CopyTo(predicted.AsSpan(start, length));
            Tensor logProbabilities = logits.to_type(ScalarType.Float64).log_softmax(1);
            entropySum -= logProbabilities.exp().mul(logProbabilities).sum().ToDouble();
            if (discriminator is not null)
            {
                domainCorrect += DomainPredictions(discriminator.DomainLogits(features, logits)).eq((long)role).sum().ToInt64();
            }
        }, cancellationToken);

        ConfusionMatrix? confusion = null;
        if (labels is not null)
        {
            long[] truth = labels.narrow(0, 0, count).cpu().data<long>().ToArray();
            confusion = ConfusionMatrix.From(truth, predicted, checked((int)classes));
        }

        return new DomainEvaluation(
            count,
            confusion?.Accuracy,
            confusion,
            count == 0 ? double.NaN : entropySum / count,
            discriminator is null ? null : count == 0 ? double.NaN : (double)domainCorrect / count);
    }

    /// <summary>
    /// The label classifier's prediction for every sample (the arg-max of the class logits), e.g. to pseudo-label an
    /// unlabelled set. Deterministic: evaluation mode, no dropout, batch norm on running statistics.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="samples">The samples (CPU storage); their labels, if any, are ignored.</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    /// <returns>int64 class indices <c>[N]</c> on the CPU; the caller disposes the tensor.</returns>
    public Tensor PredictLabels(AdaptationModel model, SampleSet samples, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(samples);
        var predicted = new long[samples.Count];
        ForwardInBatches(model, samples, samples.Count, (start, length, _, logits) =>
            logits.argmax(1).cpu().data<long>().CopyTo(predicted.AsSpan(start, length)), cancellationToken);
        return tensor(predicted, ScalarType.Int64);
    }

    /// <summary>Runs the first <paramref name="count"/> samples through the model in batches, in evaluation mode and without gradients; each batch in its own dispose scope.</summary>
    private void ForwardInBatches(AdaptationModel model, SampleSet samples, int count, Action<int, int, Tensor, Tensor> onBatch, CancellationToken cancellationToken)
    {
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            for (int start = 0; start < count; start += BatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                int length = Math.Min(BatchSize, count - start);
                Tensor x = Converter.Convert(samples.Slice(start, length, cancellationToken));
                Tensor features = model.Features(x);
                onBatch(start, length, features, model.ClassifyFeatures(features));
            }
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    private static Tensor DomainPredictions(Tensor domainLogits)
    {
        if (domainLogits.dim() == 1 || (domainLogits.dim() == 2 && domainLogits.shape[1] == 1))
        {
            return domainLogits.reshape(-1).gt(0).to_type(ScalarType.Int64);
        }

        if (domainLogits.dim() == 2 && domainLogits.shape[1] == 2)
        {
            return domainLogits.argmax(1);
        }

        throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"The domain classifier must give one logit [B, 1] or two [B, 2] per sample, but gave [{string.Join(", ", domainLogits.shape)}]."));
    }
}
