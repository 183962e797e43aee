using static TorchSharp.torch;

namespace DomainAdaptation.Models;

/// <summary>What a <see cref="DannModel"/> computes for a batch, the same in training and evaluation mode.</summary>
/// <param name="ClassLogits">Label-classifier logits <c>[B, classes]</c>.</param>
/// <param name="DomainLogits">Domain-classifier logits <c>[B, 1]</c> (binary) or <c>[B, 2]</c>, computed through the gradient reversal layer.</param>
/// <param name="Features">The feature extractor's output <c>[B, features]</c>.</param>
public sealed record DannOutput(Tensor ClassLogits, Tensor DomainLogits, Tensor Features);
