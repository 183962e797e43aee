using DomainAdaptation.Data;
using DomainAdaptation.Methods;
using DomainAdaptation.Models;
using DomainAdaptation.Training;
using Microsoft.Extensions.Logging;

namespace DomainAdaptation.Selection.Validators;

/// <summary>
/// Reverse validation (Ganin et al., JMLR 2016, §5.1; <see cref="ReverseValidation"/>) behind the validator interface:
/// pseudo-label the target with the model, train a reverse model with the same method and recipe from the pseudo-labelled
/// target back to the unlabelled source, and score it on the held-out labelled source. Score: the reverse accuracy.
/// Parts: "forward_source_accuracy", "reverse_fit", "reverse_training_failed" (1 when the reverse training collapsed:
/// rerun with another seed). It costs one training run per model scored, and works for every method.
/// </summary>
public sealed class ReverseValidationValidator : IValidator
{
    private readonly IDomainDataset _trainingData;
    private readonly Func<(AdaptationModel Model, AdaptationMethod Method)> _createReverse;
    private readonly AdaptationTrainerOptions _options;
    private readonly ILogger? _logger;

    /// <summary>Creates the validator.</summary>
    /// <param name="trainingData">The data the scored model was trained on (labelled source, unlabelled target).</param>
    /// <param name="createReverse">Creates an untrained model of the architecture and a new instance of the method, with the forward run's settings, for each score.</param>
    /// <param name="options">The reverse training's options: the forward run's recipe (its checkpoint folder, if any, must be one of its own).</param>
    /// <param name="logger">Where the reverse training logs, or null.</param>
    public ReverseValidationValidator(IDomainDataset trainingData, Func<(AdaptationModel Model, AdaptationMethod Method)> createReverse, AdaptationTrainerOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(trainingData);
        ArgumentNullException.ThrowIfNull(createReverse);
        ArgumentNullException.ThrowIfNull(options);
        _trainingData = trainingData;
        _createReverse = createReverse;
        _options = options.Clone();
        _logger = logger;
    }

    /// <inheritdoc />
    public string Name => "reverse";

    /// <inheritdoc />
    public ValidationScore Score(ValidationData data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        (AdaptationModel model, AdaptationMethod method) = _createReverse();
        using (model)
        using (method)
        {
            ReverseValidationResult r = ReverseValidation.Run(data.Model, data.Converter, _trainingData, data.SourceValidation, model, method, _options, _logger, cancellationToken: cancellationToken);
            return new ValidationScore(Name, r.ReverseAccuracy, [new("forward_source_accuracy", r.ForwardSourceAccuracy), new("reverse_fit", r.ReverseFitAccuracy), new("reverse_training_failed", r.ReverseTrainingFailed ? 1 : 0)]);
        }
    }
}
