using System.Globalization;

namespace DomainAdaptation.Models;

/// <summary>
/// The learning-rate multiplier of each part of an <see cref="AdaptationModel"/>: the trainer gives each part's
/// parameters the learning rate <c>multiplier × base rate</c> (and the schedule's factor) through parameter groups.
/// Transfer-Learning-Library trains a pretrained backbone at 0.1× the rate of the new bottleneck and head.
/// </summary>
/// <param name="FeatureExtractor">The multiplier of the feature extractor (backbone); finite, ≥ 0 (0 freezes it).</param>
/// <param name="Bottleneck">The multiplier of the bottleneck; finite, ≥ 0.</param>
/// <param name="LabelClassifier">The multiplier of the label classifier; finite, ≥ 0.</param>
public sealed record PartLearningRates(double FeatureExtractor = 1.0, double Bottleneck = 1.0, double LabelClassifier = 1.0)
{
    /// <summary>1 for every part: one learning rate for the whole model.</summary>
    public static PartLearningRates Uniform { get; } = new();

    /// <summary>The backbone at <paramref name="backbone"/> × the base rate, the bottleneck and head at 1× (tllib's fine-tuning recipe: 0.1).</summary>
    /// <param name="backbone">The backbone's multiplier; finite, ≥ 0.</param>
    /// <returns>The multipliers.</returns>
    public static PartLearningRates PretrainedBackbone(double backbone = 0.1) => new(backbone, 1.0, 1.0);

    /// <summary>Checks every multiplier.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When a multiplier is negative, NaN or infinite.</exception>
    internal PartLearningRates Checked()
    {
        Check(FeatureExtractor, nameof(FeatureExtractor));
        Check(Bottleneck, nameof(Bottleneck));
        Check(LabelClassifier, nameof(LabelClassifier));
        return this;
    }

    internal static double Check(double multiplier, string name)
    {
        if (!double.IsFinite(multiplier) || multiplier < 0)
        {
            throw new ArgumentOutOfRangeException(name, multiplier, string.Create(CultureInfo.InvariantCulture, $"The learning-rate multiplier of the {name} must be a finite number ≥ 0 (0 freezes the part), but was {multiplier}."));
        }

        return multiplier;
    }
}
