using static TorchSharp.torch;

namespace DomainAdaptation.Data;

/// <summary>
/// The data of one unsupervised domain adaptation problem: a labelled source set and an unlabelled target set,
/// held in memory on the CPU (uint8 images, or float feature vectors).
/// </summary>
/// <remarks>
/// Target labels, when the data set has them, are never part of <see cref="Target"/>: they are kept apart in
/// <see cref="TargetLabelsForEvaluation"/> and used only to report accuracy (and by the target-only upper bound).
/// </remarks>
public interface IDomainDataset
{
    /// <summary>A short name for logs and reports, e.g. "MNIST → MNIST-M".</summary>
    string Name { get; }

    /// <summary>The labelled source set: samples <c>[N, ...]</c> and labels <c>[N]</c> int64.</summary>
    SampleSet Source { get; }

    /// <summary>The target set used for training, without labels: samples <c>[M, ...]</c>.</summary>
    SampleSet Target { get; }

    /// <summary>Target labels <c>[M]</c> int64 aligned with <see cref="Target"/>, for evaluation only; null when unknown.</summary>
    Tensor? TargetLabelsForEvaluation { get; }

    /// <summary>The shape of one sample, shared by both domains.</summary>
    SampleShape SampleShape { get; }

    /// <summary>The number of classes of the label task.</summary>
    int ClassCount { get; }
}
