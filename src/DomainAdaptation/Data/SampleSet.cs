using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Data;

/// <summary>
/// Samples held in memory on the CPU with optional int64 labels <c>[N]</c>. Images are stored as uint8
/// <c>[N, C, H, W]</c> (converted to float and normalised per batch, never for the whole set); feature vectors,
/// such as the two-moons toy problem's points, as float32 or float64 <c>[N, F]</c>.
/// </summary>
public sealed class SampleSet : IDisposable
{
    /// <summary>Creates a sample set and takes ownership of the tensors.</summary>
    /// <param name="name">A name for messages, e.g. "MNIST-M train".</param>
    /// <param name="samples">uint8, float32 or float64 samples <c>[N, ...]</c> on the CPU.</param>
    /// <param name="labels">int64 labels <c>[N]</c>, or null for an unlabelled set.</param>
    /// <param name="classCount">The number of classes (labels lie in <c>[0, classCount)</c>); 0 when unknown.</param>
    /// <exception cref="ArgumentException">When the tensors have the wrong dtype, rank, device or disagreeing counts.</exception>
    public SampleSet(string name, Tensor samples, Tensor? labels, int classCount)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.dim() < 2 || samples.dtype is not (ScalarType.Byte or ScalarType.Float32 or ScalarType.Float64))
        {
            throw new ArgumentException($"{name}: samples must be a uint8, float32 or float64 tensor [N, ...], but were {samples.dtype} with shape [{string.Join(", ", samples.shape)}].", nameof(samples));
        }

        if (samples.device_type != DeviceType.CPU)
        {
            throw new ArgumentException($"{name}: samples must be stored on the CPU (batches move to the device), but were on {samples.device}.", nameof(samples));
        }

        if (labels is not null && (labels.dtype != ScalarType.Int64 || labels.dim() != 1 || labels.shape[0] != samples.shape[0]))
        {
            throw new ArgumentException($"{name}: labels must be an int64 tensor [{samples.shape[0]}] (one per sample), but were {labels.dtype} with shape [{string.Join(", ", labels.shape)}].", nameof(labels));
        }

        if (classCount < 0) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, $"{name}: the class count cannot be negative.");

        Name = name;
        Samples = samples;
        Labels = labels;
        ClassCount = classCount;
        Shape = new SampleShape(samples.shape.Skip(1).ToArray());
    }

    /// <summary>A name for messages.</summary>
    public string Name { get; }

    /// <summary>The samples <c>[N, ...]</c> on the CPU: uint8 images or float feature vectors.</summary>
    public Tensor Samples { get; }

    /// <summary>int64 labels <c>[N]</c>, or null.</summary>
    public Tensor? Labels { get; }

    /// <summary>The number of classes.</summary>
    public int ClassCount { get; }

    /// <summary>The number of samples.</summary>
    public int Count => (int)Samples.shape[0];

    /// <summary>The shape of one sample.</summary>
    public SampleShape Shape { get; }

    /// <summary>The storage dtype of <see cref="Samples"/>.</summary>
    public ScalarType StorageType => Samples.dtype;

    /// <summary>Returns a copy of this set without labels (for a target domain in training).</summary>
    /// <param name="name">The new set's name, or null to keep this one.</param>
    /// <returns>A new set sharing no tensors with this one.</returns>
    public SampleSet WithoutLabels(string? name = null) => new(name ?? Name, Samples.clone(), null, ClassCount);

    /// <summary>
    /// Splits the set into a training and a test part with a seeded shuffle, stratified by label when the set is
    /// labelled: each class gives round(n × <paramref name="testFraction"/>) of its n samples to the test part, at least
    /// one and at most n − 1 when n ≥ 2 (a class of one sample stays in training). Both parts keep the set's order.
    /// The shuffle is SplitMix64 keyed by (seed, class), so a seed means the same split on every machine and .NET version.
    /// </summary>
    /// <param name="testFraction">The test share, in (0, 1).</param>
    /// <param name="seed">The shuffle's seed.</param>
    /// <returns>Two new sets (named "… train" and "… test"); this set is unchanged.</returns>
    /// <exception cref="ArgumentOutOfRangeException">When the fraction is not in (0, 1).</exception>
    /// <exception cref="ArgumentException">When the set has fewer than two samples.</exception>
    public (SampleSet Train, SampleSet Test) SplitStratified(double testFraction, long seed)
    {
        if (!(testFraction > 0 && testFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, $"{Name}: the test fraction must lie strictly between 0 and 1.");
        }

        if (Count < 2) throw new ArgumentException($"{Name}: a set of {Count} sample(s) cannot be split into a training and a test part.", nameof(testFraction));
        long[] labels = Labels is null ? new long[Count] : Labels.data<long>().ToArray();
        var test = new List<long>();
        var train = new List<long>();
        foreach (IGrouping<long, int> group in Enumerable.Range(0, Count).GroupBy(i => labels[i]).OrderBy(g => g.Key))
        {
            int[] members = group.ToArray();
            int n = members.Length;
            int take = n < 2 ? 0 : Math.Clamp((int)Math.Round(n * testFraction, MidpointRounding.AwayFromZero), 1, n - 1);
            var random = new Batching.DeterministicRandom(Batching.DeterministicRandom.Mix(seed, group.Key));
            int[] order = random.Permutation(n);
            for (int k = 0; k < n; k++) (k < take ? test : train).Add(members[order[k]]);
        }

        train.Sort();
        test.Sort();
        return (Subset(train, Name + " train"), Subset(test, Name + " test"));
    }

    private SampleSet Subset(List<long> indices, string name)
    {
        using Tensor index = tensor(indices.ToArray(), ScalarType.Int64);
        return new SampleSet(name, Samples.index_select(0, index), Labels?.index_select(0, index), ClassCount);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Samples.Dispose();
        Labels?.Dispose();
    }
}
