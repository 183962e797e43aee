using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Selection.Validators;

/// <summary>
/// ClassAMI (Musgrave et al., ECCV 2022, "Three New Validators and a Large-Scale Benchmark Ranking for Unsupervised
/// Domain Adaptation"; pytorch-adapt's <c>ClassClusterValidator</c>): cluster the target features with k-means into K
/// clusters (K classes) and score the agreement of the clusters with the model's predicted classes by the adjusted mutual
/// information, AMI ∈ [−1, 1] (1: the predictions follow the features' own cluster structure; 0: chance).
/// </summary>
/// <remarks>
/// k-means: k-means++ initialisation from a seeded generator, Lloyd iterations to convergence (at most 100), the best
/// of 3 restarts by inertia — pytorch-adapt uses scikit-learn's <c>KMeans</c> with its defaults. AMI with the arithmetic
/// mean of the entropies as normaliser (scikit-learn's default). Parts: "inertia".
/// </remarks>
public sealed class ClassAmiValidator : IValidator
{
    /// <summary>Creates the validator.</summary>
    /// <param name="seed">The seed of the k-means initialisations.</param>
    public ClassAmiValidator(long seed = 0) => Seed = seed;

    /// <summary>The seed of k-means.</summary>
    public long Seed { get; }

    /// <inheritdoc />
    public string Name => "class-ami";

    /// <inheritdoc />
    public ValidationScore Score(ValidationData data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ModelOutputs target = data.TargetOutputs;
        int k = (int)target.Logits.shape[1];
        using var scope = NewDisposeScope();
        (int[] clusters, double inertia) = KMeans.Cluster(target.Features, k, Seed, cancellationToken: cancellationToken);
        int[] predicted = [.. target.Logits.argmax(1).data<long>().Select(v => (int)v)];
        return new ValidationScore(Name, AdjustedMutualInformation.Score(predicted, clusters), [new("inertia", inertia)]);
    }
}
