namespace DomainAdaptation.Tests;

/// <summary>
/// Tests that assert on torch's process-wide random generator (seed it, draw, compare) run in this collection:
/// xunit runs it alone, after the parallel collections, so no other test draws from the generator meanwhile.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalRandomStreamCollection
{
    public const string Name = "Global random stream";
}
