using DomainAdaptation.Runtime;
using static TorchSharp.torch;

namespace DomainAdaptation.Models;

/// <summary>
/// Runs module construction from an explicit seed without disturbing the caller's random stream: the CPU generator's
/// state is saved, seeded, used, and restored. Seeded constructions are serialised with each other; code on another
/// thread that draws from torch's global generator at the same moment is not held off (TorchSharp's module
/// constructors offer no generator argument).
/// </summary>
internal static class SeededInitialization
{
    private static readonly Lock Gate = new();

    /// <summary>Runs <paramref name="create"/>; with a seed, from that seed and with the global CPU generator restored afterwards.</summary>
    /// <typeparam name="T">What is created.</typeparam>
    /// <param name="seed">The seed, or null to draw from torch's global generator as it stands.</param>
    /// <param name="create">Creates the modules.</param>
    /// <returns>What <paramref name="create"/> returned.</returns>
    public static T Run<T>(long? seed, Func<T> create)
    {
        TorchRuntime.EnsureInitialized();
        if (seed is null) return create();

        lock (Gate)
        {
            return RunSeeded(seed.Value, create);
        }
    }

    private static T RunSeeded<T>(long seed, Func<T> create)
    {
        using Tensor saved = random.get_rng_state();
        random.manual_seed(seed);
        try
        {
            return create();
        }
        finally
        {
            random.set_rng_state(saved);
        }
    }
}
