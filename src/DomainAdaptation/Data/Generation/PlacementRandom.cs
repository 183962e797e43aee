namespace DomainAdaptation.Data.Generation;

/// <summary>
/// SplitMix64 (Steele, Lea, Flood 2014) keyed by (seed, image index): every image gets its own stream, so images can
/// be generated in any order or in parallel and still be identical for a given seed, on every .NET version and OS
/// (unlike <see cref="Random"/>, whose seeded sequence is not part of its contract across versions).
/// </summary>
internal struct PlacementRandom
{
    private ulong _state;

    /// <summary>Starts the stream of one image.</summary>
    /// <param name="seed">The generator's seed.</param>
    /// <param name="index">The image index.</param>
    public PlacementRandom(int seed, long index)
    {
        _state = Mix((ulong)(uint)seed * 0x9E3779B97F4A7C15UL) ^ (ulong)index;
        _ = Next();
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong Next()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>A uniform integer in <c>[0, bound)</c>, without modulo bias (rejection sampling).</summary>
    /// <param name="bound">The exclusive upper bound, 1 or more.</param>
    public int NextBelow(int bound)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bound, 1);
        ulong b = (ulong)bound;
        ulong threshold = (0UL - b) % b; // 2^64 mod b: reject the incomplete last block
        ulong r;
        do
        {
            r = Next();
        }
        while (r < threshold);
        return (int)(r % b);
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
