namespace DomainAdaptation.Data.Batching;

/// <summary>
/// Portable, seedable randomness for data order: SplitMix64 (Steele, Lea &amp; Flood, 2014) for mixing keys into
/// seeds and generating values. Unlike <see cref="Random"/>, its output is fixed by this code, not by the .NET version,
/// so a seed means the same data order on every runtime and machine.
/// </summary>
internal struct DeterministicRandom
{
    private ulong _state;

    /// <summary>Creates a generator whose whole output is a function of <paramref name="seed"/>.</summary>
    /// <param name="seed">The seed.</param>
    public DeterministicRandom(ulong seed) => _state = seed;

    /// <summary>Mixes any number of keys into one well-spread 64-bit value (a hash of the tuple).</summary>
    /// <param name="keys">The keys, e.g. (seed, domain, epoch).</param>
    /// <returns>The mixed value.</returns>
    public static ulong Mix(params ReadOnlySpan<long> keys)
    {
        ulong h = 0x9E3779B97F4A7C15UL;
        foreach (long key in keys)
        {
            h = Finalise(h ^ Finalise(unchecked((ulong)key) + 0x632BE59BD9B4E019UL));
        }

        return h;
    }

    /// <summary>The next 64 random bits.</summary>
    /// <returns>A uniformly distributed value.</returns>
    public ulong NextUInt64()
    {
        _state = unchecked(_state + 0x9E3779B97F4A7C15UL);
        return Finalise(_state);
    }

    /// <summary>A uniformly distributed integer in <c>[0, bound)</c> without modulo bias (Lemire's method).</summary>
    /// <param name="bound">The exclusive upper bound; positive.</param>
    /// <returns>The value.</returns>
    public ulong NextBelow(ulong bound)
    {
        UInt128 product = (UInt128)NextUInt64() * bound;
        ulong low = (ulong)product;
        if (low < bound)
        {
            ulong threshold = unchecked(0UL - bound) % bound;
            while (low < threshold)
            {
                product = (UInt128)NextUInt64() * bound;
                low = (ulong)product;
            }
        }

        return (ulong)(product >> 64);
    }

    /// <summary>A uniformly random permutation of <c>0 … count − 1</c> (Fisher–Yates).</summary>
    /// <param name="count">The number of elements.</param>
    /// <returns>The permutation.</returns>
    public int[] Permutation(int count)
    {
        var result = new int[count];
        for (int i = 0; i < count; i++) result[i] = i;
        for (int i = count - 1; i > 0; i--)
        {
            int j = (int)NextBelow((ulong)i + 1);
            (result[i], result[j]) = (result[j], result[i]);
        }

        return result;
    }

    private static ulong Finalise(ulong z)
    {
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }
}
