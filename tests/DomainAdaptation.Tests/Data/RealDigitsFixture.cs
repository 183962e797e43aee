using System.Diagnostics;
using DomainAdaptation.Data;
using DomainAdaptation.Data.Formats;
using DomainAdaptation.Tests.TestSupport;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Data;

/// <summary>
/// Loads the real MNIST labels and MNIST-M (both splits, from the authors' archive) once for the whole
/// "Real digits" collection, decoding into a private cache folder so later loads in the collection are warm.
/// </summary>
public sealed class RealDigitsFixture : IDisposable
{
    public RealDigitsFixture()
    {
        Cache = new TempDirectory();
        Options = new DataLoadOptions { CacheDirectory = Cache.Path };
        Archive = TestData.PathOf("mnist_m", "mnist_m.tar.gz");
        MnistTrainLabels = MnistIdx.ReadLabels(TestData.PathOf("mnist", "train-labels-idx1-ubyte.gz"));
        MnistTestLabels = MnistIdx.ReadLabels(TestData.PathOf("mnist", "t10k-labels-idx1-ubyte.gz"));
        var watch = Stopwatch.StartNew();
        IReadOnlyDictionary<DataSplit, SampleSet> sets = MnistM.LoadSplits(Archive, [DataSplit.Train, DataSplit.Test], Options);
        ColdLoad = watch.Elapsed;
        MnistMTrain = sets[DataSplit.Train];
        MnistMTest = sets[DataSplit.Test];
    }

    public TempDirectory Cache { get; }

    public DataLoadOptions Options { get; }

    public string Archive { get; }

    /// <summary>Wall time of decoding both MNIST-M splits from the archive (no cache), for the test output only.</summary>
    public TimeSpan ColdLoad { get; }

    public Tensor MnistTrainLabels { get; }

    public Tensor MnistTestLabels { get; }

    public SampleSet MnistMTrain { get; }

    public SampleSet MnistMTest { get; }

    public void Dispose()
    {
        MnistMTrain.Dispose();
        MnistMTest.Dispose();
        MnistTrainLabels.Dispose();
        MnistTestLabels.Dispose();
        Cache.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class RealDigitsCollection : ICollectionFixture<RealDigitsFixture>
{
    public const string Name = "Real digits";
}
