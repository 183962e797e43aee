using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Data;

/// <summary>
/// Samples with optional int64 labels <c>[N]</c>, held in memory on the CPU or streamed from storage
/// (<see cref="IStreamedSamples"/>, e.g. image files decoded on the fly). Images are uint8 <c>[N, C, H, W]</c>
/// (converted to float and normalised per batch, never for the whole set); feature vectors, such as the two-moons toy
/// problem's points, float32 or float64 <c>[N, F]</c> (in memory only).
/// </summary>
/// <remarks>
/// Read samples with <see cref="Slice"/> and <see cref="Gather(ReadOnlySpan{long}, CancellationToken)"/>, which work for both kinds;
/// <see cref="Samples"/> (the whole tensor) exists only for an in-memory set.
/// </remarks>
public sealed class SampleSet : IDisposable
{
    private readonly Tensor? _samples;
    private readonly IStreamedSamples? _streamed;

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
        _samples = samples;
        Labels = labels;
        ClassCount = classCount;
        Count = (int)samples.shape[0];
        Shape = new SampleShape(samples.shape.Skip(1).ToArray());
        StorageType = samples.dtype;
    }

    /// <summary>Creates a set whose samples are read on demand, and takes ownership of the labels.</summary>
    /// <param name="name">A name for messages.</param>
    /// <param name="samples">Where the uint8 samples are read from.</param>
    /// <param name="labels">int64 labels <c>[N]</c> (one per sample of <paramref name="samples"/>), or null for an unlabelled set.</param>
    /// <param name="classCount">The number of classes; 0 when unknown.</param>
    /// <exception cref="ArgumentException">When the labels have the wrong dtype, rank or count.</exception>
    public SampleSet(string name, IStreamedSamples samples, Tensor? labels, int classCount)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(samples);
        if (labels is not null && (labels.dtype != ScalarType.Int64 || labels.dim() != 1 || labels.shape[0] != samples.Count))
        {
            throw new ArgumentException($"{name}: labels must be an int64 tensor [{samples.Count}] (one per sample), but were {labels.dtype} with shape [{string.Join(", ", labels.shape)}].", nameof(labels));
        }

        if (classCount < 0) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, $"{name}: the class count cannot be negative.");

        Name = name;
        _streamed = samples;
        Labels = labels;
        ClassCount = classCount;
        Count = samples.Count;
        Shape = samples.Shape;
        StorageType = ScalarType.Byte;
    }

    /// <summary>A name for messages.</summary>
    public string Name { get; }

    /// <summary>Whether the samples are read on demand (<see cref="IStreamedSamples"/>) rather than held in memory.</summary>
    public bool IsStreamed => _streamed is not null;

    /// <summary>The streamed source of the samples, or null for an in-memory set.</summary>
    public IStreamedSamples? Streamed => _streamed;

    /// <summary>The samples <c>[N, ...]</c> on the CPU: uint8 images or float feature vectors. In-memory sets only.</summary>
    /// <exception cref="InvalidOperationException">For a streamed set (use <see cref="Slice"/> or <see cref="Gather(ReadOnlySpan{long}, CancellationToken)"/>).</exception>
    public Tensor Samples => _samples ?? throw new InvalidOperationException(
        $"'{Name}' is streamed ({_streamed!.Name}): its samples are read on demand, not held as one tensor. Read them with SampleSet.Slice or SampleSet.Gather, or load the images into memory (ImageFolderOptions.Stream = false).");

    /// <summary>int64 labels <c>[N]</c>, or null.</summary>
    public Tensor? Labels { get; }

    /// <summary>The number of classes.</summary>
    public int ClassCount { get; }

    /// <summary>The number of samples.</summary>
    public int Count { get; }

    /// <summary>The shape of one sample.</summary>
    public SampleShape Shape { get; }

    /// <summary>The storage dtype of the samples (always uint8 for a streamed set).</summary>
    public ScalarType StorageType { get; }

    /// <summary>Reads samples <c>[start, start + length)</c>: a view of the memory for an in-memory set, a fresh read for a streamed one.</summary>
    /// <param name="start">The first sample.</param>
    /// <param name="length">How many.</param>
    /// <param name="cancellationToken">Stops a streamed read.</param>
    /// <returns>A tensor <c>[length, ...]</c> on the CPU; the caller disposes it (or its dispose scope does).</returns>
    /// <exception cref="ArgumentOutOfRangeException">When the range lies outside the set.</exception>
    public Tensor Slice(long start, long length, CancellationToken cancellationToken = default)
    {
        if (start < 0 || length < 0 || start + length > Count)
        {
            throw new ArgumentOutOfRangeException(nameof(start), start, string.Create(CultureInfo.InvariantCulture, $"The range [{start}, {start + length}) lies outside '{Name}' ({Count} samples)."));
        }

        if (_samples is not null) return _samples.narrow(0, start, length);
        var indices = new long[length];
        for (int i = 0; i < length; i++) indices[i] = start + i;
        return _streamed!.Read(indices, cancellationToken);
    }

    /// <summary>Reads the samples at <paramref name="indices"/>, in that order.</summary>
    /// <param name="indices">Indices in <c>[0, Count)</c>.</param>
    /// <param name="cancellationToken">Stops a streamed read.</param>
    /// <returns>A new tensor <c>[n, ...]</c> on the CPU that the caller owns.</returns>
    /// <exception cref="ArgumentOutOfRangeException">When an index lies outside the set.</exception>
    public Tensor Gather(ReadOnlySpan<long> indices, CancellationToken cancellationToken = default)
    {
        foreach (long i in indices)
        {
            if (i < 0 || i >= Count)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), i, string.Create(CultureInfo.InvariantCulture, $"Index {i} lies outside '{Name}' ({Count} samples)."));
            }
        }

        if (_streamed is not null) return _streamed.Read(indices, cancellationToken);
        using Tensor index = tensor(indices.ToArray(), ScalarType.Int64);
        return _samples!.index_select(0, index);
    }

    /// <summary>Reads the samples at the int64 indices of <paramref name="index"/> (a 1-D CPU tensor), in that order.</summary>
    /// <param name="index">int64 indices <c>[n]</c>.</param>
    /// <returns>A new tensor <c>[n, ...]</c> on the CPU that the caller owns.</returns>
    public Tensor Gather(Tensor index)
    {
        ArgumentNullException.ThrowIfNull(index);
        return _samples is not null ? _samples.index_select(0, index) : Gather(index.data<long>().ToArray());
    }

    /// <summary>Returns a copy of this set without labels (for a target domain in training).</summary>
    /// <param name="name">The new set's name, or null to keep this one.</param>
    /// <returns>A new set sharing no tensors with this one (a streamed set shares its read-only source).</returns>
    public SampleSet WithoutLabels(string? name = null) =>
        _streamed is not null ? new(name ?? Name, _streamed, null, ClassCount) : new(name ?? Name, _samples!.clone(), null, ClassCount);

    /// <summary>A copy of this set with its samples and labels (a streamed set shares its read-only source).</summary>
    /// <param name="name">The new set's name, or null to keep this one.</param>
    /// <returns>A new set the caller owns.</returns>
    public SampleSet Copy(string? name = null) =>
        _streamed is not null
            ? new(name ?? Name, _streamed, Labels?.clone(), ClassCount)
            : new(name ?? Name, _samples!.clone(), Labels?.clone(), ClassCount);

    /// <summary>A set over the same samples (aliased, not copied) with other labels; for pseudo-labelling.</summary>
    /// <param name="name">The new set's name.</param>
    /// <param name="labels">int64 labels <c>[N]</c> (ownership passes to the new set), or null.</param>
    /// <param name="classCount">The class count.</param>
    /// <returns>A new set sharing this one's samples.</returns>
    public SampleSet WithLabels(string name, Tensor? labels, int classCount) =>
        _streamed is not null ? new(name, _streamed, labels, classCount) : new(name, _samples!.alias(), labels, classCount);

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
        return _streamed is not null
            ? new SampleSet(name, new StreamedSubset(_streamed, indices.ToArray()), Labels?.index_select(0, index), ClassCount)
            : new SampleSet(name, _samples!.index_select(0, index), Labels?.index_select(0, index), ClassCount);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _samples?.Dispose();
        Labels?.Dispose();
    }

    /// <summary>Some samples of a streamed source, renumbered from 0.</summary>
    private sealed class StreamedSubset(IStreamedSamples inner, long[] map) : IStreamedSamples
    {
        public string Name => inner.Name;

        public int Count => map.Length;

        public SampleShape Shape => inner.Shape;

        public Tensor Read(ReadOnlySpan<long> indices, CancellationToken cancellationToken = default)
        {
            var mapped = new long[indices.Length];
            for (int i = 0; i < indices.Length; i++) mapped[i] = map[indices[i]];
            return inner.Read(mapped, cancellationToken);
        }
    }
}
