using System.Globalization;
using DomainAdaptation.Methods;
using DomainAdaptation.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DomainAdaptation.Training.Optimization;

/// <summary>
/// Creates a run's optimizers: one per <see cref="OptimizerGroup"/> of the method, each with one parameter group per
/// learning-rate multiplier (the model's parts' and the method modules'), in the order the parameters appear in the
/// training modules' <c>named_parameters()</c>. A part or module with multiplier 0 is frozen: left out of every
/// optimizer and its parameters set to <c>requires_grad = false</c>.
/// </summary>
internal static class OptimizerFactory
{
    /// <summary>One optimizer with the names of the parameters it updates.</summary>
    internal sealed record NamedOptimizer(string Name, OptimizerHelper Optimizer, IReadOnlyList<Parameter> Parameters);

    /// <summary>Creates the optimizers.</summary>
    /// <param name="options">The optimizer options.</param>
    /// <param name="model">The model (for its parts' multipliers).</param>
    /// <param name="method">The method (its optimizer groups and modules).</param>
    /// <param name="parameters">The parameters to optimize by their training-modules name (the master weights under mixed precision), in order.</param>
    /// <returns>The optimizers, in the method's order.</returns>
    public static IReadOnlyList<NamedOptimizer> Create(OptimizerOptions options, AdaptationModel model, AdaptationMethod method, IReadOnlyList<(string Name, Parameter Parameter)> parameters)
    {
        // Each parameter's owner: (optimizer, multiplier), or null when frozen / not trained by an optimizer.
        var owners = new List<(string Prefix, string Optimizer, double Multiplier)>();
        foreach ((string prefix, nn.Module _, double multiplier) in model.Parts)
        {
            foreach (OptimizerGroup group in method.OptimizerGroups.Where(g => g.ModelParts.Contains(prefix)))
            {
                owners.Add(("model." + prefix + ".", group.Name, multiplier));
            }
        }

        foreach (MethodModule module in method.Modules.Where(m => m.Trainable))
        {
            owners.Add(("method." + module.Name + ".", module.Optimizer, module.LearningRateMultiplier));
        }

        var result = new List<NamedOptimizer>();
        foreach (OptimizerGroup group in method.OptimizerGroups)
        {
            // Parameter groups by multiplier, in the order the multipliers first appear.
            var byMultiplier = new List<(double Multiplier, List<Parameter> Parameters)>();
            foreach ((string name, Parameter parameter) in parameters)
            {
                (string Prefix, string Optimizer, double Multiplier)? owner = owners.FirstOrDefault(o => o.Optimizer == group.Name && name.StartsWith(o.Prefix, StringComparison.Ordinal));
                if (owner is not { } o || o.Prefix is null) continue;
                if (o.Multiplier == 0)
                {
                    parameter.requires_grad = false;
                    continue;
                }

                int index = byMultiplier.FindIndex(g => g.Multiplier == o.Multiplier);
                if (index < 0)
                {
                    byMultiplier.Add((o.Multiplier, []));
                    index = byMultiplier.Count - 1;
                }

                byMultiplier[index].Parameters.Add(parameter);
            }

            if (byMultiplier.Count == 0)
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"The method '{method.Name}' has an optimizer '{group.Name}' with no parameters to train (model parts {string.Join(", ", group.ModelParts)}; all frozen or absent)."));
            }

            result.Add(new NamedOptimizer(group.Name, Build(options, byMultiplier), byMultiplier.SelectMany(g => g.Parameters).ToArray()));
        }

        return result;
    }

    private static OptimizerHelper Build(OptimizerOptions o, List<(double Multiplier, List<Parameter> Parameters)> groups)
    {
        if (o.Kind == OptimizerKind.Adam)
        {
            if (groups.Count == 1 && groups[0].Multiplier == 1.0)
            {
                return optim.Adam(groups[0].Parameters, o.LearningRate, o.AdamBeta1, o.AdamBeta2, o.AdamEpsilon, o.WeightDecay);
            }

            return optim.Adam(groups.Select(g => new Adam.ParamGroup(g.Parameters, new Adam.Options { LearningRate = o.LearningRate * g.Multiplier })), o.LearningRate, o.AdamBeta1, o.AdamBeta2, o.AdamEpsilon, o.WeightDecay);
        }

        if (groups.Count == 1 && groups[0].Multiplier == 1.0)
        {
            return optim.SGD(groups[0].Parameters, o.LearningRate, o.Momentum, weight_decay: o.WeightDecay);
        }

        return optim.SGD(groups.Select(g => new SGD.ParamGroup(g.Parameters, new SGD.Options { LearningRate = o.LearningRate * g.Multiplier })), o.LearningRate, o.Momentum, weight_decay: o.WeightDecay);
    }
}
