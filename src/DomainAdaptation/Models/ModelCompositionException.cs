namespace DomainAdaptation.Models;

/// <summary>
/// Thrown when the parts of a model do not fit together (or are missing): the message names the parts and the sizes,
/// for example "feature extractor gives 768 features, label classifier expects 2352".
/// </summary>
public sealed class ModelCompositionException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What does not fit, naming the parts and the sizes.</param>
    /// <param name="part">The part that failed, if one did.</param>
    /// <param name="innerException">TorchSharp's own error, if one was raised.</param>
    public ModelCompositionException(string message, ModelPart? part = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Part = part;
    }

    /// <summary>Creates the exception for a builder missing one or more settings.</summary>
    /// <param name="message">What is missing.</param>
    /// <param name="missingParts">The parts that were not given.</param>
    public ModelCompositionException(string message, IReadOnlyList<ModelPart> missingParts)
        : base(message)
    {
        MissingParts = missingParts;
    }

    /// <summary>The part whose check failed; null when the builder was incomplete.</summary>
    public ModelPart? Part { get; }

    /// <summary>The parts the builder was not given (empty when the failure is a mismatch).</summary>
    public IReadOnlyList<ModelPart> MissingParts { get; } = [];

    /// <summary>The feature count F the feature extractor produced, when known.</summary>
    public long? ProducedFeatures { get; init; }

    /// <summary>The input size the failing head expects, when it could be read from its first layer.</summary>
    public long? ExpectedFeatures { get; init; }
}
