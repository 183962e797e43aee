using static TorchSharp.torch;

namespace DomainAdaptation.Data;

/// <summary>
/// One training step's data: equal halves from the source and the target domain, already converted to the
/// training dtype, normalised and placed on the training device.
/// </summary>
/// <param name="SourceImages">Source images <c>[B, C, H, W]</c>.</param>
/// <param name="SourceLabels">Source labels <c>[B]</c> int64.</param>
/// <param name="TargetImages">Target images <c>[B, C, H, W]</c>.</param>
/// <param name="TargetLabels">Target labels <c>[B]</c> int64 — only for the target-only upper bound; null otherwise.</param>
public sealed record DomainBatch(Tensor SourceImages, Tensor SourceLabels, Tensor TargetImages, Tensor? TargetLabels);
