using System.Globalization;
using DomainAdaptation.Data;
using DomainAdaptation.Data.Batching;
using DomainAdaptation.Evaluation;
using DomainAdaptation.Methods;
using DomainAdaptation.Models;
using DomainAdaptation.Training;
using DomainAdaptation.Training.Checkpoints;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Selection;

/// <summary>
/// Reverse validation (Zhong et al., ECML PKDD 2010; Ganin et al., JMLR 2016, §5.1, unsupervised hyper-parameter
/// selection): scores a trained adaptation model without a single target label, so that runs and hyperparameters can
/// be compared — and chosen — honestly.
/// </summary>
/// <remarks>
/// <para>
/// With a forward model η trained on labelled source samples S and unlabelled target samples T:
/// </para>
/// <list type="number">
/// <item><description>pseudo-label the target: <c>T̂ = {(x, η(x)) : x ∈ T}</c> (arg-max of η's class logits, evaluation mode);</description></item>
/// <item><description>train a reverse model η_r from scratch with the same method and recipe, with <c>T̂</c> as the labelled
/// source and S, its labels dropped, as the unlabelled target;</description></item>
/// <item><description>measure η_r on labelled source samples <c>S_V</c> that neither training saw. The reverse validation risk is
/// <c>1 − accuracy</c>; among candidates, the paper selects the one with the lowest risk.</description></item>
/// </list>
/// <para>
/// The reasoning: η_r can only do well on the source if η's pseudo-labels on the target are mostly right and the two
/// domains' features are aligned. The reverse training is itself adversarial and can collapse; a collapse shows without
/// target labels as a reverse model that does not fit its own pseudo-labelled data
/// (<see cref="ReverseValidationResult.ReverseTrainingFailed"/>), and calls for another reverse seed rather than a
/// verdict on the forward model. The cost is one more training run per candidate. The reverse training reads the
/// forward data set's tensors without copying them; checkpoints go to the reverse options' folder as in any run, and
/// <c>resume: true</c> continues an interrupted reverse run from there.
/// </para>
/// </remarks>
public static class ReverseValidation
{
    /// <summary>Runs reverse validation for one trained model.</summary>
    /// <param name="model">The trained forward model η (for a method with an inference model, that model: a mean teacher's teacher); left unchanged (weights and mode).</param>
    /// <param name="converter">η's input conversion (dtype, device and the normalisation it was trained with).</param>
    /// <param name="trainingData">The data η was trained on: labelled source S, unlabelled target T.</param>
    /// <param name="sourceValidation">Labelled source samples held out of η's training (e.g. the source test split).</param>
    /// <param name="reverseModel">An untrained model for η_r, normally a fresh build of η's architecture; trained in place.</param>
    /// <param name="reverseMethod">A new instance of η's method with η's settings (not the forward run's instance: a method belongs to one run); not target-only.</param>
    /// <param name="reverseOptions">η_r's training options: η's recipe (same optimiser, schedules and steps).</param>
    /// <param name="logger">Where to log; the reverse trainer logs here too. <see cref="NullLogger.Instance"/> when null.</param>
    /// <param name="steps">Step metrics of the reverse training.</param>
    /// <param name="evaluations">Periodic evaluations of the reverse training (source = a pseudo-labelled sample of T, target = <paramref name="sourceValidation"/>).</param>
    /// <param name="resume">Continue from the newest checkpoint in <see cref="CheckpointOptions.Directory"/> if there is one.</param>
    /// <param name="cancellationToken">Stops the reverse training between steps (a checkpoint is written when the options say so).</param>
    /// <returns>
    /// The reverse accuracy and risk, η's held-out source accuracy, the reverse model's fit to its pseudo-labelled
    /// training data (see <see cref="ReverseValidationResult.ReverseTrainingFailed"/>), the pseudo-label histogram and
    /// the reverse run.
    /// </returns>
    /// <exception cref="ArgumentException">When the held-out source set has no labels or does not match the training data, the two models are the same instance, the method trains on target labels or is already in use, or (without <paramref name="resume"/>) the checkpoint folder already holds a checkpoint.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">When <paramref name="reverseOptions"/> is invalid.</exception>
    /// <exception cref="TrainingCancelledException">When cancelled during the reverse training.</exception>
    /// <exception cref="TrainingDivergedException">When a reverse training loss becomes NaN or infinite.</exception>
    public static ReverseValidationResult Run(
        AdaptationModel model,
        SampleConverter converter,
        IDomainDataset trainingData,
        SampleSet sourceValidation,
        AdaptationModel reverseModel,
        AdaptationMethod reverseMethod,
        AdaptationTrainerOptions reverseOptions,
        ILogger? logger = null,
        IProgress<StepMetrics>? steps = null,
        IProgress<EvaluationMetrics>? evaluations = null,
        bool resume = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(converter);
        ArgumentNullException.ThrowIfNull(trainingData);
        ArgumentNullException.ThrowIfNull(sourceValidation);
        ArgumentNullException.ThrowIfNull(reverseModel);
        ArgumentNullException.ThrowIfNull(reverseMethod);
        ArgumentNullException.ThrowIfNull(reverseOptions);
        Check(model, trainingData, sourceValidation, reverseModel, reverseMethod);
        if (!resume && reverseOptions.Checkpoints.Directory is { } existing && Checkpoint.FindLatest(existing) is { } found)
        {
            throw new ArgumentException($"AdaptationTrainerOptions.Checkpoints.Directory '{existing}' already holds a checkpoint ('{Path.GetFileName(found)}'), perhaps the forward run's; give the reverse run an empty folder of its own, or pass resume: true to continue an interrupted reverse run.", nameof(reverseOptions));
        }

        logger ??= NullLogger.Instance;
        int classes = trainingData.ClassCount;

        var evaluator = new Evaluator(converter, reverseOptions.Evaluation.BatchSize);
        double forwardAccuracy = evaluator.EvaluateDomain(model, sourceValidation, sourceValidation.Labels, DomainRole.Source, classes, 0, cancellationToken).Accuracy!.Value;
        Tensor pseudoLabels = evaluator.PredictLabels(model, trainingData.Target, cancellationToken);
        long[] histogram = Histogram(pseudoLabels, classes);
        SelectionLog.PseudoLabelled(logger, trainingData.Name, trainingData.Target.Count, string.Join(" ", histogram), forwardAccuracy);

        // The reverse problem reads the forward problem's samples through aliases (no copy; disposing an alias leaves
        // the original alone; a streamed set shares its source). The pseudo-labels become the reverse source's labels and are disposed with it.
        using var reverseData = new DomainDataset(
            "reverse of " + trainingData.Name,
            trainingData.Target.WithLabels(trainingData.Target.Name + " (pseudo-labelled)", pseudoLabels, classes),
            trainingData.Source.WithLabels(trainingData.Source.Name + " (labels dropped)", null, classes));
        using var reverseEvaluation = new DomainDataset(
            "reverse of " + trainingData.Name + " (held-out source)",
            reverseData.Source.WithLabels(reverseData.Source.Name, reverseData.Source.Labels!.alias(), classes),
            sourceValidation.WithLabels(sourceValidation.Name, sourceValidation.Labels!.alias(), classes));

        using var trainer = new AdaptationTrainer(reverseModel, reverseData, reverseMethod, reverseOptions, logger, reverseEvaluation);
        if (resume && reverseOptions.Checkpoints.Directory is { } folder && Checkpoint.FindLatest(folder) is not null)
        {
            trainer.Resume(folder);
        }

        TrainingResult training = trainer.Train(steps, evaluations, cancellationToken);
        DomainEvaluation reverse = trainer.Evaluator.EvaluateDomain(trainer.InferenceModel, sourceValidation, sourceValidation.Labels, DomainRole.Target, classes, 0, cancellationToken);
        DomainEvaluation fit = trainer.Evaluator.EvaluateDomain(trainer.InferenceModel, reverseData.Source, reverseData.Source.Labels, DomainRole.Source, classes, 0, cancellationToken);
        var result = new ReverseValidationResult(reverse.Accuracy!.Value, forwardAccuracy, reverse.SampleCount, fit.Accuracy!.Value, histogram, training);
        SelectionLog.Finished(logger, trainingData.Name, result.ReverseAccuracy, result.SourceValidationCount, training.StepsCompleted, training.Elapsed.TotalSeconds, result.ReverseFitAccuracy);
        if (result.ReverseTrainingFailed)
        {
            SelectionLog.ReverseTrainingFailed(logger, trainingData.Name, result.ReverseFitAccuracy);
        }

        return result;
    }

    private static void Check(AdaptationModel model, IDomainDataset trainingData, SampleSet sourceValidation, AdaptationModel reverseModel, AdaptationMethod reverseMethod)
    {
        if (ReferenceEquals(model, reverseModel))
        {
            throw new ArgumentException("The reverse model must be a separate, untrained model (e.g. a fresh build of the forward model's architecture), not the forward model itself.", nameof(reverseModel));
        }

        if (sourceValidation.Count == 0)
        {
            throw new ArgumentException($"The held-out source set '{sourceValidation.Name}' is empty; reverse validation needs labelled source samples to score the reverse model on.", nameof(sourceValidation));
        }

        if (sourceValidation.Labels is null)
        {
            throw new ArgumentException($"The held-out source set '{sourceValidation.Name}' has no labels; reverse validation measures the reverse classifier on labelled source samples.", nameof(sourceValidation));
        }

        if (!sourceValidation.Shape.Equals(trainingData.SampleShape) || sourceValidation.StorageType != trainingData.Source.StorageType)
        {
            throw new ArgumentException($"The held-out source set '{sourceValidation.Name}' has {sourceValidation.StorageType} samples of shape {sourceValidation.Shape}, but '{trainingData.Name}' has {trainingData.Source.StorageType} samples of shape {trainingData.SampleShape}.", nameof(sourceValidation));
        }

        if (reverseMethod.UsesTargetLabels)
        {
            throw new ArgumentException($"The reverse method '{reverseMethod.Name}' trains on target labels, but the reverse classifier must not see the source labels it is measured on; use the forward run's method.", nameof(reverseMethod));
        }

        if (reverseMethod.IsInitialized)
        {
            throw new ArgumentException($"The reverse method '{reverseMethod.Name}' is already in use by another run (perhaps the forward run's instance); pass a new instance with the same settings.", nameof(reverseMethod));
        }

        using var scope = NewDisposeScope();
        long min = sourceValidation.Labels.min().ToInt64(), max = sourceValidation.Labels.max().ToInt64();
        if (min < 0 || max >= trainingData.ClassCount)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The held-out source set '{sourceValidation.Name}' has labels in [{min}, {max}], but '{trainingData.Name}' has {trainingData.ClassCount} classes."), nameof(sourceValidation));
        }
    }

    private static long[] Histogram(Tensor labels, int classes)
    {
        var counts = new long[classes];
        foreach (long label in labels.data<long>())
        {
            if (label >= 0 && label < classes) counts[label]++;
        }

        return counts;
    }
}
