using TorchSharp;

namespace DomainAdaptation.Tests.TestSupport;

/// <summary>
/// Tests that train or seed the global torch generator run in this collection: never in parallel with other tests
/// (the generator and the thread count are process-wide), on one intra-op thread (tiny models gain nothing from two,
/// and on a loaded machine two threads spin-wait badly).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchSerial : ICollectionFixture<TorchSerial.SingleThread>
{
    /// <summary>The collection name.</summary>
    public const string Name = "Torch serial";

    /// <summary>Sets one intra-op thread for the collection and restores the previous count afterwards.</summary>
    public sealed class SingleThread : IDisposable
    {
        private readonly int _previous;

        public SingleThread()
        {
            _previous = torch.get_num_threads();
            torch.set_num_threads(1);
        }

        public void Dispose() => torch.set_num_threads(_previous);
    }
}
