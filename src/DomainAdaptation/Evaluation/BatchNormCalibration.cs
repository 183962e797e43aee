using System.Globalization;
using DomainAdaptation.Data;
using DomainAdaptation.Data.Batching;
using DomainAdaptation.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DomainAdaptation.Evaluation;

/// <summary>
/// Re-estimates the running statistics of every batch-normalisation layer of a model on one domain's samples, without
/// labels: "adaptive batch normalisation" (AdaBN; Li et al., "Revisiting Batch Normalization for Practical Domain
/// Adaptation", 2016). After DANN training with <see cref="Training.BatchNormMode.Separate"/>, each domain's batches
/// were normalised by their own statistics, but the running statistics used at prediction time mix both domains;
/// calibrating them on the (unlabelled) target training samples makes target predictions see the normalisation they
/// were trained with.
/// </summary>
/// <remarks>
/// <para>
/// For each batch-norm layer the new running mean and variance are the exact averages of the per-batch statistics over
/// all calibration batches (PyTorch's cumulative average, <c>momentum = None</c>), computed in a no-grad pass with
/// dropout off. Learnable parameters (γ, β and all weights) do not change; only the buffers <c>running_mean</c>,
/// <c>running_var</c> and <c>num_batches_tracked</c> do. The model's mode and each layer's momentum are restored.
/// </para>
/// <para>
/// The calibrated model predicts for the calibration domain; to predict for the other domain, calibrate a copy (or
/// reload the checkpoint). Models without batch norm are left untouched (the method returns 0).
/// </para>
/// </remarks>
public static class BatchNormCalibration
{
    /// <summary>Re-estimates every batch-norm layer's running statistics on <paramref name="samples"/>.</summary>
    /// <param name="model">The model; its batch-norm buffers are overwritten.</param>
    /// <param name="samples">Samples of the domain to calibrate for (labels are not used), in CPU storage.</param>
    /// <param name="converter">The input conversion used in training (dtype, device, normalisation).</param>
    /// <param name="batchSize">Samples per forward pass; the statistics are averaged over batches of this size, so use the training batch size or larger. Default 512.</param>
    /// <param name="maxSamples">Use at most the first this many samples; 0 for all. Default 0.</param>
    /// <param name="cancellationToken">Checked between batches; on cancellation the buffers are restored.</param>
    /// <returns>The number of batch-norm layers calibrated.</returns>
    /// <exception cref="ArgumentException">When there are no samples, or fewer than two per batch (a variance needs two).</exception>
    public static int Calibrate(AdaptationModel model, SampleSet samples, SampleConverter converter, int batchSize = 512, int maxSamples = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(converter);
        ArgumentOutOfRangeException.ThrowIfNegative(maxSamples);
        if (batchSize < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "Batch-norm calibration needs at least 2 samples per batch (a variance of one sample is undefined).");
        }

        int count = maxSamples > 0 ? Math.Min(samples.Count, maxSamples) : samples.Count;
        if (count < 2)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Batch-norm calibration needs at least 2 samples, but '{samples.Name}' offers {count}."), nameof(samples));
        }

        NormBase[] layers = model.modules().OfType<NormBase>().Where(m => m is BatchNorm1d or BatchNorm2d or BatchNorm3d && m.track_running_stats).ToArray();
        if (layers.Length == 0) return 0;

        bool wasTraining = model.training;
        double?[] momenta = layers.Select(l => l.momentum).ToArray();
        (Tensor Mean, Tensor Var, Tensor Batches)[] saved = layers.Select(l => (l.running_mean!.clone().DetachFromDisposeScope(), l.running_var!.clone().DetachFromDisposeScope(), l.num_batches_tracked!.clone().DetachFromDisposeScope())).ToArray();
        bool completed = false;
        try
        {
            model.eval(); // dropout off
            foreach (NormBase layer in layers)
            {
                layer.reset_running_stats();
                layer.momentum = null; // cumulative average over the calibration batches
                layer.train();
            }

            using var noGrad = no_grad();
            for (int start = 0; start < count; start += batchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int length = Math.Min(batchSize, count - start);
                if (length < 2) break; // a last batch of one sample has no variance; its statistics are left out
                using var scope = NewDisposeScope();
                model.forward(converter.Convert(samples.Slice(start, length, cancellationToken)));
            }

            completed = true;
        }
        finally
        {
            for (int i = 0; i < layers.Length; i++)
            {
                layers[i].momentum = momenta[i];
                if (!completed)
                {
                    using var noGrad = no_grad();
                    layers[i].running_mean!.copy_(saved[i].Mean);
                    layers[i].running_var!.copy_(saved[i].Var);
                    layers[i].num_batches_tracked!.copy_(saved[i].Batches);
                }

                saved[i].Mean.Dispose();
                saved[i].Var.Dispose();
                saved[i].Batches.Dispose();
            }

            model.train(wasTraining);
        }

        return layers.Length;
    }
}
