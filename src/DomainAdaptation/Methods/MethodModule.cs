using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Methods;

/// <summary>
/// A module a method owns beside the model (a domain classifier, a second classifier, a teacher). The trainer moves it
/// with the model (device, dtype), saves it in checkpoints under <c>method.{Name}.*</c>, and — when
/// <see cref="Trainable"/> — gives its parameters to the optimizer at <see cref="LearningRateMultiplier"/> × the base
/// learning rate.
/// </summary>
/// <param name="Name">The module's name in checkpoints (snake_case, unique within the method), e.g. "domain_classifier".</param>
/// <param name="Module">The module.</param>
/// <param name="LearningRateMultiplier">Its learning rate relative to the base rate; finite, ≥ 0.</param>
/// <param name="Trainable">False for modules updated otherwise (an EMA teacher): no optimizer sees them, and no gradient is kept for them.</param>
/// <param name="Optimizer">The name of the optimizer that trains it, for step-owning methods with several (<see cref="OptimizerGroup"/>).</param>
public sealed record MethodModule(string Name, nn.Module Module, double LearningRateMultiplier = 1.0, bool Trainable = true, string Optimizer = OptimizerGroup.Main);

/// <summary>
/// A named optimizer a method needs and the parts it trains. Loss methods have one, <see cref="Main"/>, over the model
/// and every trainable method module; step-owning methods (MCD) name several and step them separately.
/// </summary>
/// <param name="Name">The optimizer's name, e.g. "generator".</param>
/// <param name="ModelParts">The model parts it trains, by state-dict prefix: "feature_extractor", "bottleneck", "label_classifier".</param>
public sealed record OptimizerGroup(string Name, IReadOnlyList<string> ModelParts)
{
    /// <summary>The name of the single optimizer of a loss method.</summary>
    public const string Main = "main";

    /// <summary>Every model part (the parts a model lacks are skipped).</summary>
    public static IReadOnlyList<string> AllParts { get; } = ["feature_extractor", "bottleneck", "label_classifier"];
}
