using DomainAdaptation.Data;
using DomainAdaptation.Data.Batching;
using DomainAdaptation.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Evaluation;

/// <summary>
/// Feature-level diagnostics: the feature extractor's output for a sample set, and a 2-D PCA projection of source and
/// target features together — the analogue of the paper's Figure 2, where adaptation shows as the two clouds merging.
/// </summary>
public static class FeatureEmbedding
{
    /// <summary>
    /// Runs the feature extractor over the first <paramref name="maxSamples"/> samples under <c>no_grad</c> in eval mode
    /// (restoring the model's mode afterwards).
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="samples">The samples (CPU storage).</param>
    /// <param name="converter">The input conversion used in training (dtype, device, normalisation).</param>
    /// <param name="maxSamples">At most this many samples (from the start of the set); positive.</param>
    /// <param name="batchSize">Samples per forward pass; positive.</param>
    /// <returns>Features <c>[n, F]</c>, float32, on the CPU; the caller disposes it.</returns>
    public static Tensor Extract(AdaptationModel model, SampleSet samples, SampleConverter converter, int maxSamples, int batchSize = 512)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(converter);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSamples);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);

        int n = Math.Min(maxSamples, samples.Count);
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var parts = new List<Tensor>();
            for (int start = 0; start < n; start += batchSize)
            {
                int length = Math.Min(batchSize, n - start);
                Tensor x = converter.Convert(samples.Slice(start, length));
                parts.Add(model.Features(x).to(ScalarType.Float32).cpu());
            }

            return cat(parts, 0).MoveToOuterDisposeScope();
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>
    /// Fits a PCA on the rows of <paramref name="source"/> and <paramref name="target"/> together and projects both onto
    /// the first <paramref name="components"/> principal axes.
    /// </summary>
    /// <param name="source">Source features <c>[n, F]</c>.</param>
    /// <param name="target">Target features <c>[m, F]</c>.</param>
    /// <param name="components">The number of axes (2 for a scatter plot); at most F.</param>
    /// <returns>The projected source <c>[n, components]</c> and target <c>[m, components]</c> rows.</returns>
    /// <exception cref="ArgumentException">When the feature sizes differ or <paramref name="components"/> is out of range.</exception>
    public static (float[,] Source, float[,] Target) Pca(Tensor source, Tensor target, int components = 2)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        if (source.dim() != 2 || target.dim() != 2 || source.shape[1] != target.shape[1])
        {
            throw new ArgumentException($"PCA needs two feature matrices [n, F] with the same F, but got [{string.Join(", ", source.shape)}] and [{string.Join(", ", target.shape)}].");
        }

        if (components < 1 || components > source.shape[1])
        {
            throw new ArgumentOutOfRangeException(nameof(components), components, $"The number of components must lie in [1, {source.shape[1]}].");
        }

        using var scope = NewDisposeScope();
        Tensor all = cat(new[] { source, target }, 0).to(ScalarType.Float64);
        Tensor mean = all.mean(new long[] { 0 }, keepdim: true);
        Tensor centred = all - mean;
        // The right singular vectors of the centred data are the principal axes.
        var (_, _, vh) = linalg.svd(centred, fullMatrices: false);
        Tensor axes = vh.narrow(0, 0, components).t();
        Tensor projected = centred.matmul(axes).to(ScalarType.Float32);
        int n = (int)source.shape[0];
        return (ToArray(projected.narrow(0, 0, n)), ToArray(projected.narrow(0, n, projected.shape[0] - n)));
    }

    private static float[,] ToArray(Tensor t)
    {
        int rows = (int)t.shape[0];
        int cols = (int)t.shape[1];
        float[] flat = t.contiguous().data<float>().ToArray();
        var result = new float[rows, cols];
        Buffer.BlockCopy(flat, 0, result, 0, flat.Length * sizeof(float));
        return result;
    }
}
