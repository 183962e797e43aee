namespace DomainAdaptation.Data.Batching;

/// <summary>The sample indices of one training step: equal halves from the source and the target domain.</summary>
/// <param name="Step">The zero-based step these indices belong to.</param>
/// <param name="Source">Indices into the source set, one per source sample of the batch.</param>
/// <param name="Target">Indices into the target set, one per target sample of the batch.</param>
public sealed record DomainBatchIndices(long Step, long[] Source, long[] Target);
