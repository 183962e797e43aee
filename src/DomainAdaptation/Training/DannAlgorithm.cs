using System.Globalization;
using DomainAdaptation.Data;
using DomainAdaptation.Models;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace DomainAdaptation.Training;

/// <summary>
/// The DANN objective of Ganin &amp; Lempitsky (2015) for one batch of <c>B</c> source and <c>B</c> target samples:
/// <c>L = L_y(G_y(G_f(x_s)), y_s) + w · L_d(G_d(R_λ(G_f([x_s; x_t]))), [0…0; 1…1])</c>, where <c>R_λ</c> is the
/// gradient reversal layer, <c>L_y</c> the cross-entropy, and <c>L_d</c> the binary cross-entropy with logits (or the
/// two-class cross-entropy), both averaged over their samples. Because of <c>R_λ</c>, minimising <c>L</c> trains
/// <c>G_d</c> to tell the domains apart and <c>G_f</c> to prevent it, scaled by λ.
/// </summary>
/// <remarks>
/// In <see cref="TrainingMode.SourceOnly"/> only <c>L_y</c> on the source half is computed (one forward pass of the source
/// half); in <see cref="TrainingMode.TargetOnly"/> only <c>L_y</c> on the target half with the target labels.
/// </remarks>
public sealed class DannAlgorithm : IAdaptationAlgorithm
{
    /// <summary>Creates the algorithm.</summary>
    /// <param name="mode">Source only, DANN or target only.</param>
    /// <param name="domainLoss">How the domain classifier is scored.</param>
    /// <param name="batchNormMode">One joint forward pass, or one per domain.</param>
    /// <param name="domainLossWeight">The weight w of the domain loss; finite, ≥ 0.</param>
    public DannAlgorithm(TrainingMode mode, DomainLossKind domainLoss, BatchNormMode batchNormMode, double domainLossWeight)
    {
        if (!double.IsFinite(domainLossWeight) || domainLossWeight < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(domainLossWeight), domainLossWeight, "The domain loss weight must be a finite number ≥ 0.");
        }

        Mode = mode;
        DomainLoss = domainLoss;
        BatchNormMode = batchNormMode;
        DomainLossWeight = domainLossWeight;
    }

    /// <summary>Creates the algorithm from trainer options.</summary>
    /// <param name="options">The options (validated by the caller).</param>
    /// <returns>The algorithm.</returns>
    public static DannAlgorithm FromOptions(DannTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new DannAlgorithm(options.Mode, options.DomainLoss, options.BatchNormMode, options.DomainLossWeight);
    }

    /// <inheritdoc />
    public string Name => Mode switch
    {
        TrainingMode.SourceOnly => "source only",
        TrainingMode.TargetOnly => "target only",
        _ => "DANN",
    };

    /// <summary>The training mode.</summary>
    public TrainingMode Mode { get; }

    /// <summary>The domain loss.</summary>
    public DomainLossKind DomainLoss { get; }

    /// <summary>Joint or separate forward passes.</summary>
    public BatchNormMode BatchNormMode { get; }

    /// <summary>The weight w of the domain loss.</summary>
    public double DomainLossWeight { get; }

    /// <inheritdoc />
    public AdaptationLosses ComputeLosses(DannModel model, DomainBatch batch, double lambda)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batch);
        switch (Mode)
        {
            case TrainingMode.SourceOnly:
            {
                Tensor logits = LossPrecision(model.Classify(batch.SourceImages));
                Tensor loss = F.cross_entropy(logits, batch.SourceLabels);
                return new AdaptationLosses(loss, loss, null, Accuracy(logits, batch.SourceLabels), null, null);
            }

            case TrainingMode.TargetOnly:
            {
                Tensor labels = batch.TargetLabels ?? throw new InvalidOperationException("Target-only training needs target labels in the batch (DomainBatch.TargetLabels), but it had none.");
                Tensor logits = LossPrecision(model.Classify(batch.TargetImages));
                Tensor loss = F.cross_entropy(logits, labels);
                return new AdaptationLosses(loss, loss, null, null, Accuracy(logits, labels), null);
            }

            default:
                return Dann(model, batch, lambda);
        }
    }

    private AdaptationLosses Dann(DannModel model, DomainBatch batch, double lambda)
    {
        model.Lambda = lambda;
        long sourceCount = batch.SourceImages.shape[0];
        long targetCount = batch.TargetImages.shape[0];
        Tensor sourceClassLogits;
        Tensor domainLogits;
        if (BatchNormMode == BatchNormMode.Joint)
        {
            DannOutput output = model.forward(cat([batch.SourceImages, batch.TargetImages], 0));
            sourceClassLogits = LossPrecision(output.ClassLogits).narrow(0, 0, sourceCount);
            domainLogits = LossPrecision(output.DomainLogits);
        }
        else
        {
            DannOutput source = model.forward(batch.SourceImages);
            DannOutput target = model.forward(batch.TargetImages);
            sourceClassLogits = LossPrecision(source.ClassLogits);
            domainLogits = LossPrecision(cat([source.DomainLogits, target.DomainLogits], 0));
        }

        Tensor labelLoss = F.cross_entropy(sourceClassLogits, batch.SourceLabels);
        Tensor domains = cat([zeros(sourceCount, ScalarType.Int64, domainLogits.device), ones(targetCount, ScalarType.Int64, domainLogits.device)], 0);
        (Tensor domainLoss, Tensor domainAccuracy) = DomainLossAndAccuracy(domainLogits, domains);
        Tensor total = labelLoss + (domainLoss * DomainLossWeight);
        return new AdaptationLosses(total, labelLoss, domainLoss, Accuracy(sourceClassLogits, batch.SourceLabels), null, domainAccuracy);
    }

    private (Tensor Loss, Tensor Accuracy) DomainLossAndAccuracy(Tensor logits, Tensor domains)
    {
        long outputs = logits.dim() == 1 ? 1 : logits.shape[^1];
        if (DomainLoss == DomainLossKind.BinaryCrossEntropyWithLogits)
        {
            if (logits.dim() > 2 || outputs != 1)
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"DannTrainerOptions.DomainLoss = BinaryCrossEntropyWithLogits needs a domain classifier with one output, but it gives [{string.Join(", ", logits.shape)}]: set DomainLoss = CrossEntropy, or give the domain classifier one output."));
            }

            Tensor flat = logits.reshape(-1);
            Tensor loss = F.binary_cross_entropy_with_logits(flat, domains.to_type(flat.dtype));
            Tensor accuracy = flat.gt(0).to_type(ScalarType.Int64).eq(domains).to_type(ScalarType.Float64).mean();
            return (loss, accuracy);
        }

        if (logits.dim() != 2 || outputs != 2)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"DannTrainerOptions.DomainLoss = CrossEntropy needs a domain classifier with two outputs, but it gives [{string.Join(", ", logits.shape)}]: set DomainLoss = BinaryCrossEntropyWithLogits, or give the domain classifier two outputs."));
        }

        return (F.cross_entropy(logits, domains), Accuracy(logits, domains));
    }

    /// <summary>
    /// Logits of a reduced-precision model (<see cref="TrainingPrecision.BFloat16Mixed"/>) as float32, so that the
    /// softmax, the losses and their first gradients are computed in float32; other logits unchanged.
    /// </summary>
    private static Tensor LossPrecision(Tensor logits) =>
        logits.dtype is ScalarType.BFloat16 or ScalarType.Float16 ? logits.to_type(ScalarType.Float32) : logits;

    private static Tensor Accuracy(Tensor logits, Tensor labels) =>
        logits.argmax(1).eq(labels).to_type(ScalarType.Float64).mean();
}
