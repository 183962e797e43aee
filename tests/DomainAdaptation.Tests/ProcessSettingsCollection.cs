namespace DomainAdaptation.Tests;

/// <summary>
/// Tests that change process-wide runtime settings (libtorch's thread counts, the allocator) run in this collection:
/// xunit runs it alone, after the parallel collections, so no other test computes while a setting changes.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessSettingsCollection
{
    public const string Name = "Process-wide runtime settings";
}
