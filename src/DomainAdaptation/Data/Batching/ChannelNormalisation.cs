using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Data.Batching;

/// <summary>
/// Per-channel normalisation <c>x' = (x − mean_c) / std_c</c>, applied to each batch after conversion to the
/// training dtype (uint8 samples are first scaled to [0, 1] by <c>x / 255</c>, so mean and std are on that scale).
/// The channel is dimension 1 of a batch: <c>C</c> of <c>[B, C, H, W]</c> images, the feature of <c>[B, F]</c> vectors.
/// </summary>
public sealed record ChannelNormalisation
{
    private readonly double[] _mean;
    private readonly double[] _std;

    /// <summary>Creates a normalisation from per-channel values.</summary>
    /// <param name="mean">The mean of each channel.</param>
    /// <param name="std">The standard deviation of each channel; positive.</param>
    /// <exception cref="ArgumentException">When the arrays are empty, differ in length, or hold a non-finite value or a std ≤ 0.</exception>
    public ChannelNormalisation(IReadOnlyList<double> mean, IReadOnlyList<double> std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Count == 0 || mean.Count != std.Count)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Normalisation needs one mean and one std per channel, but got {mean.Count} means and {std.Count} stds."), nameof(std));
        }

        for (int c = 0; c < mean.Count; c++)
        {
            if (!double.IsFinite(mean[c]))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The mean of channel {c} must be finite, but was {mean[c]}."), nameof(mean));
            }

            if (!double.IsFinite(std[c]) || std[c] <= 0)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The std of channel {c} must be finite and positive, but was {std[c]}."), nameof(std));
            }
        }

        _mean = mean.ToArray();
        _std = std.ToArray();
    }

    /// <summary>The mean of each channel.</summary>
    public IReadOnlyList<double> Mean => _mean;

    /// <summary>The standard deviation of each channel.</summary>
    public IReadOnlyList<double> Std => _std;

    /// <summary>The number of channels.</summary>
    public int Channels => _mean.Length;

    /// <summary>
    /// Computes the per-channel mean and (population) standard deviation pooled over all samples of all given sets,
    /// on the scale the network sees (uint8 divided by 255). With a source and a target set this is the "over both
    /// domains" statistic of the reference TensorFlow DANN code, which subtracts the pixel mean of MNIST and MNIST-M
    /// stacked together.
    /// </summary>
    /// <param name="sets">One or more sets with the same sample shape.</param>
    /// <returns>The normalisation.</returns>
    /// <exception cref="ArgumentException">When no set is given or the sets' channel counts differ.</exception>
    /// <exception cref="InvalidOperationException">When a channel is constant (std = 0), which cannot be normalised.</exception>
    public static ChannelNormalisation Compute(params SampleSet[] sets)
    {
        ArgumentNullException.ThrowIfNull(sets);
        if (sets.Length == 0) throw new ArgumentException("Give at least one sample set.", nameof(sets));
        long channels = sets[0].Shape.Dimensions[0];
        foreach (SampleSet set in sets)
        {
            if (set.Shape.Dimensions[0] != channels)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"'{set.Name}' has {set.Shape.Dimensions[0]} channels but '{sets[0].Name}' has {channels}."), nameof(sets));
            }
        }

        // Sums in float64, in chunks, so a 60,000-image set never exists as one float tensor.
        var sum = new double[channels];
        var sumOfSquares = new double[channels];
        long valuesPerChannel = 0;
        const int Chunk = 4096;
        foreach (SampleSet set in sets)
        {
            long perSample = set.Shape.Elements / channels;
            for (long start = 0; start < set.Count; start += Chunk)
            {
                using var scope = NewDisposeScope();
                long length = Math.Min(Chunk, set.Count - start);
                Tensor x = set.Slice(start, length).to_type(ScalarType.Float64);
                if (set.StorageType == ScalarType.Byte) x = x.div(255.0);
                // [n, C, ...] → [C, n·rest]
                Tensor perChannel = x.reshape(length, channels, -1).transpose(0, 1).reshape(channels, -1);
                double[] s = perChannel.sum(1).data<double>().ToArray();
                double[] q = perChannel.square().sum(1).data<double>().ToArray();
                for (int c = 0; c < channels; c++)
                {
                    sum[c] += s[c];
                    sumOfSquares[c] += q[c];
                }

                valuesPerChannel += length * perSample;
            }
        }

        var mean = new double[channels];
        var std = new double[channels];
        for (int c = 0; c < channels; c++)
        {
            mean[c] = sum[c] / valuesPerChannel;
            double variance = Math.Max(0.0, (sumOfSquares[c] / valuesPerChannel) - (mean[c] * mean[c]));
            std[c] = Math.Sqrt(variance);
            if (!(std[c] > 0))
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"Channel {c} is constant ({mean[c]}) over {string.Join(" + ", sets.Select(s => "'" + s.Name + "'"))}: its std is 0 and it cannot be normalised."));
            }
        }

        return new ChannelNormalisation(mean, std);
    }

    /// <summary>The per-channel mean and std pooled over the source and the target set of <paramref name="data"/>.</summary>
    /// <param name="data">The domain adaptation problem.</param>
    /// <returns>The normalisation.</returns>
    public static ChannelNormalisation OverBothDomains(IDomainDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Compute(data.Source, data.Target);
    }

    /// <summary>
    /// The pooled per-channel mean over both domains with std 1: exactly the reference TensorFlow code's
    /// <c>(x − pixel_mean) / 255</c> for uint8 images.
    /// </summary>
    /// <param name="data">The domain adaptation problem.</param>
    /// <returns>The normalisation.</returns>
    public static ChannelNormalisation MeanOverBothDomains(IDomainDataset data) => OverBothDomains(data).MeanOnly();

    /// <summary>
    /// ImageNet's per-channel RGB mean (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225) on the [0, 1] scale: the
    /// input torchvision's pretrained weights were trained on (<c>transforms.Normalize</c> of its ImageNet recipe).
    /// </summary>
    public static ChannelNormalisation ImageNet { get; } = new([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]);

    /// <summary>This normalisation with every std set to 1 (mean subtraction only).</summary>
    /// <returns>The new normalisation.</returns>
    public ChannelNormalisation MeanOnly() => new(_mean, Enumerable.Repeat(1.0, _mean.Length).ToArray());

    /// <inheritdoc />
    public bool Equals(ChannelNormalisation? other) =>
        other is not null && _mean.AsSpan().SequenceEqual(other._mean) && _std.AsSpan().SequenceEqual(other._std);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (double m in _mean) hash.Add(m);
        foreach (double s in _std) hash.Add(s);
        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"mean [{string.Join(", ", _mean.Select(m => m.ToString("G6", CultureInfo.InvariantCulture)))}], std [{string.Join(", ", _std.Select(s => s.ToString("G6", CultureInfo.InvariantCulture)))}]");
}
