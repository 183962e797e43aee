using System.Globalization;
using DomainAdaptation.Methods.Adversarial;
using DomainAdaptation.Methods.Discrepancy;
using DomainAdaptation.Methods.Regularizers;
using DomainAdaptation.Methods.SelfTraining;
using DomainAdaptation.Methods.Supervised;
using DomainAdaptation.Models;
using DomainAdaptation.Schedules;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Methods;

/// <summary>What a catalogued method may take from the caller beyond its numbers: modules shaped like the model's.</summary>
public sealed record MethodRequest
{
    /// <summary>The domain classifier DANN trains (a preset's: <c>builder.DomainClassifier</c>), or null for tllib's.</summary>
    public nn.Module<Tensor, Tensor>? DomainClassifier { get; init; }

    /// <summary>
    /// Builds another instance of the model's architecture (with other weights): the mean teacher's teacher, and MCD's
    /// second classifier (its label classifier is taken). Needed by mean teacher; without it MCD creates tllib's head.
    /// </summary>
    public Func<AdaptationModel>? CreateModel { get; init; }
}

/// <summary>A numeric setting of a catalogued method, as <c>name=value</c> in a specification.</summary>
/// <param name="Name">The setting's name (kebab-case).</param>
/// <param name="Description">What it sets.</param>
/// <param name="Default">Its default (the method's documented default).</param>
public sealed record MethodParameter(string Name, string Description, double Default);

/// <summary>A method of the catalogue.</summary>
/// <param name="Name">Its id (kebab-case), e.g. "cdan-e".</param>
/// <param name="Family">Its family: supervised, adversarial, discrepancy, regularizer or self-training (the folder of its file).</param>
/// <param name="Title">A one-line description.</param>
/// <param name="Citation">Where it comes from.</param>
/// <param name="Parameters">Its settings.</param>
/// <param name="Aliases">Other names it answers to.</param>
public sealed record MethodDescriptor(string Name, string Family, string Title, string Citation, IReadOnlyList<MethodParameter> Parameters, IReadOnlyList<string> Aliases)
{
    internal Func<IReadOnlyDictionary<string, double>, MethodRequest, AdaptationMethod> Factory { get; init; } = (_, _) => throw new InvalidOperationException();

    /// <summary>Whether the method can be a part of a composite (a loss method with terms of its own).</summary>
    public bool Composable { get; init; } = true;
}

/// <summary>
/// Every method by name, and the specification language that composes them: <c>part (+ part)*</c>, each part
/// <c>name[:setting=value,…]</c> — for example <c>"cdan-e"</c>, <c>"dann+mcc"</c>, <c>"mcc:temperature=3,weight=0.5"</c>
/// or <c>"cdan-e+entropy:weight=0.05"</c>. Names and settings are kebab-case; values are numbers (0/1 for switches).
/// </summary>
public static class MethodCatalog
{
    private static readonly MethodParameter Gamma = new("gamma", "steepness γ of the λ schedule 2/(1+exp(−γp))−1", 10);

    private static readonly MethodParameter Delay = new("delay", "progress p before which the term is off (0: from the start)", 0);

    /// <summary>Every catalogued method, in the order of docs/methods.md.</summary>
    public static IReadOnlyList<MethodDescriptor> All { get; } =
    [
        new("source-only", "supervised", "cross-entropy on the source only (lower bound)", "Ganin & Lempitsky 2015, Table 1", [], []) { Factory = (_, _) => new SourceOnly(), Composable = false },
        new("target-only", "supervised", "cross-entropy on the labelled target (upper bound; uses target labels)", "Ganin & Lempitsky 2015, Table 1", [], []) { Factory = (_, _) => new TargetOnly(), Composable = false },
        new("dann", "adversarial", "domain-adversarial training through a gradient reversal layer", "Ganin & Lempitsky, ICML 2015; Ganin et al., JMLR 2016", [new("weight", "domain-loss weight w", 1), Gamma], [])
        {
            Factory = (p, r) => new Dann(r.DomainClassifier, LambdaSchedules.Ganin(p["gamma"]), p["weight"]),
        },
        new("cdan", "adversarial", "conditional adversarial: the discriminator sees features ⊗ predictions", "Long et al., NeurIPS 2018", [new("weight", "domain-loss weight", 1), Gamma], [])
        {
            Factory = (p, _) => new Cdan(false, p["weight"], LambdaSchedules.Ganin(p["gamma"])),
        },
        new("cdan-e", "adversarial", "CDAN with entropy conditioning (CDAN+E)", "Long et al., NeurIPS 2018", [new("weight", "domain-loss weight", 1), Gamma], ["cdan+e"])
        {
            Factory = (p, _) => new Cdan(true, p["weight"], LambdaSchedules.Ganin(p["gamma"])),
        },
        new("mdd", "adversarial", "margin disparity discrepancy with an adversarial classifier", "Zhang et al., ICML 2019", [new("weight", "MDD weight", 1), new("margin", "margin γ", 4), new("lambda-max", "the value λ rises to", 0.1)], [])
        {
            Factory = (p, _) => new Mdd(p["margin"], p["weight"], new WarmStartLambdaSchedule(0, p["lambda-max"], 10)),
        },
        new("dan", "discrepancy", "multi-kernel MMD between the domains' features", "Long et al., ICML 2015", [new("weight", "MK-MMD weight", 1), new("linear", "1 for the linear-time estimate, 0 for the quadratic one", 0)], ["mk-mmd"])
        {
            Factory = (p, _) => new Dan(p["weight"], p["linear"] != 0 ? MmdEstimator.Linear : MmdEstimator.Unbiased),
        },
        new("jan", "discrepancy", "joint MMD of features and predictions", "Long et al., ICML 2017", [new("weight", "JMMD weight", 1), new("linear", "1 for the linear-time estimate", 0)], [])
        {
            Factory = (p, _) => new Jan(p["weight"], p["linear"] != 0 ? MmdEstimator.Linear : MmdEstimator.Unbiased),
        },
        new("coral", "discrepancy", "Deep CORAL: align the feature covariances", "Sun & Saenko, ECCV-W 2016", [new("weight", "CORAL weight", 1)], ["deep-coral"])
        {
            Factory = (p, _) => new DeepCoral(p["weight"]),
        },
        new("mcd", "discrepancy", "maximum classifier discrepancy (three steps per batch, two optimizers)", "Saito et al., CVPR 2018", [new("weight", "discrepancy weight", 1), new("steps", "generator steps num_k", 4), new("entropy", "target-entropy weight", 0.01)], [])
        {
            Factory = (p, r) => new Mcd(SecondClassifier(r), p["weight"], checked((int)p["steps"]), p["entropy"]),
            Composable = false,
        },
        new("mcc", "regularizer", "minimum class confusion on the target", "Jin et al., ECCV 2020", [new("weight", "MCC weight", 1), new("temperature", "temperature T", 2.5)], [])
        {
            Factory = (p, _) => new Mcc(p["weight"], p["temperature"]),
        },
        new("bnm", "regularizer", "batch nuclear-norm maximisation on the target", "Cui et al., CVPR 2020", [new("weight", "BNM weight", 1)], [])
        {
            Factory = (p, _) => new Bnm(p["weight"]),
        },
        new("entropy", "regularizer", "entropy minimisation on the target", "Grandvalet & Bengio, NIPS 2004", [new("weight", "entropy weight", 0.1)], ["ent", "minent"])
        {
            Factory = (p, _) => new EntropyMinimization(p["weight"]),
        },
        new("afn", "regularizer", "stepwise adaptive feature norm (SAFN)", "Xu et al., ICCV 2019", [new("weight", "norm weight", 0.05), new("step", "step Δr", 1)], ["safn"])
        {
            Factory = (p, _) => new Afn(p["weight"], p["step"]),
        },
        new("hafn", "regularizer", "hard adaptive feature norm (HAFN)", "Xu et al., ICCV 2019", [new("weight", "norm weight", 0.05), new("radius", "radius R", 25)], [])
        {
            Factory = (p, _) => new Afn(p["weight"], 1.0, p["radius"]),
        },
        new("fixmatch", "self-training", "confident pseudo-labels from a weak view, learnt on a strong view", "Sohn et al., NeurIPS 2020", [new("weight", "pseudo-label weight λ_u", 1), new("threshold", "confidence threshold τ", 0.95), Delay], [])
        {
            Factory = (p, _) => new FixMatch(p["threshold"], p["weight"], DelaySchedule(p["delay"])),
        },
        new("mean-teacher", "self-training", "consistency with an EMA teacher (self-ensembling); the teacher is evaluated", "Tarvainen & Valpola, NeurIPS 2017; French et al., ICLR 2018", [new("weight", "consistency weight", 3), new("decay", "EMA decay α", 0.99), new("threshold", "teacher confidence threshold", 0.968), Delay], ["self-ensembling"])
        {
            Factory = (p, r) => new MeanTeacher((r.CreateModel ?? throw new ArgumentException("The mean teacher needs a second instance of the model (MethodRequest.CreateModel).")).Invoke(), p["decay"], p["weight"], p["threshold"], DelaySchedule(p["delay"])),
        },
    ];

    /// <summary>The method named <paramref name="name"/> (or one of its aliases).</summary>
    /// <param name="name">A name, e.g. "cdan-e" or "mk-mmd".</param>
    /// <returns>The descriptor.</returns>
    /// <exception cref="ArgumentException">When no method has that name; the message lists them.</exception>
    public static MethodDescriptor Find(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        string key = name.Trim().ToLowerInvariant();
        return All.FirstOrDefault(m => m.Name == key || m.Aliases.Contains(key))
            ?? throw new ArgumentException($"There is no method '{name}'. The methods are: {string.Join(", ", All.Select(m => m.Name))} (combine loss methods with '+', e.g. dann+mcc).", nameof(name));
    }

    /// <summary>Creates the method a specification names, e.g. "dann", "dann+mcc" or "mcc:temperature=3".</summary>
    /// <param name="specification">The specification (see <see cref="MethodCatalog"/>).</param>
    /// <param name="request">Modules shaped like the model's, when a method takes them.</param>
    /// <returns>A new, uninitialised method.</returns>
    /// <exception cref="ArgumentException">When the specification names an unknown method or setting, gives a bad number, or composes a method that cannot be composed.</exception>
    public static AdaptationMethod Create(string specification, MethodRequest? request = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(specification);
        request ??= new MethodRequest();
        List<(MethodDescriptor Method, Dictionary<string, double> Settings)> parts = Parse(specification);
        if (parts.Count == 1)
        {
            return parts[0].Method.Factory(parts[0].Settings, request);
        }

        var created = new List<LossMethod>();
        foreach ((MethodDescriptor method, Dictionary<string, double> settings) in parts)
        {
            if (!method.Composable)
            {
                throw new ArgumentException($"'{method.Name}' cannot be part of a composite '{specification}': {(method.Name == "mcd" ? "it runs its own updates" : "it has no terms of its own")}. Compose loss methods such as dann, cdan-e, mcc, bnm, entropy.", nameof(specification));
            }

            created.Add((LossMethod)method.Factory(settings, request));
            request = request with { DomainClassifier = null }; // a given domain classifier goes to the first DANN only
        }

        return new CompositeMethod([.. created]);
    }

    /// <summary>The specification in canonical form: canonical names, settings sorted, defaults dropped (e.g. "DANN+MCC:weight=1" → "dann+mcc").</summary>
    /// <param name="specification">A specification.</param>
    /// <returns>The canonical form.</returns>
    public static string Normalize(string specification)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(specification);
        return string.Join("+", Parse(specification).Select(p =>
        {
            string[] changed = [.. p.Method.Parameters.Where(d => p.Settings[d.Name] != d.Default).Select(d => string.Create(CultureInfo.InvariantCulture, $"{d.Name}={p.Settings[d.Name]}"))];
            return changed.Length == 0 ? p.Method.Name : p.Method.Name + ":" + string.Join(",", changed);
        }));
    }

    private static List<(MethodDescriptor Method, Dictionary<string, double> Settings)> Parse(string specification)
    {
        var parts = new List<(MethodDescriptor, Dictionary<string, double>)>();
        foreach (string raw in Split(specification))
        {
            string part = raw.Trim();
            int colon = part.IndexOf(':', StringComparison.Ordinal);
            MethodDescriptor method = Find(colon < 0 ? part : part[..colon]);
            var settings = method.Parameters.ToDictionary(p => p.Name, p => p.Default, StringComparer.Ordinal);
            if (colon >= 0)
            {
                foreach (string assignment in part[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    int eq = assignment.IndexOf('=', StringComparison.Ordinal);
                    string key = eq < 0 ? assignment : assignment[..eq].Trim().ToLowerInvariant();
                    if (!settings.ContainsKey(key))
                    {
                        string known = method.Parameters.Count == 0 ? "it has none" : "it has " + string.Join(", ", method.Parameters.Select(p => $"{p.Name} (default {p.Default.ToString(CultureInfo.InvariantCulture)})"));
                        throw new ArgumentException($"'{method.Name}' has no setting '{key}' in '{specification}': {known}.", nameof(specification));
                    }

                    if (eq < 0 || !double.TryParse(assignment[(eq + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
                    {
                        throw new ArgumentException($"The setting '{assignment}' of '{method.Name}' in '{specification}' needs a finite number: {key}=VALUE.", nameof(specification));
                    }

                    settings[key] = value;
                }
            }

            parts.Add((method, settings));
        }

        if (parts.Count > 1 && parts.Select(p => ((MethodDescriptor)p.Item1).Name).Distinct().Count() != parts.Count)
        {
            throw new ArgumentException($"'{specification}' names a method twice.", nameof(specification));
        }

        return parts;
    }

    /// <summary>Splits on '+', except the '+' of the alias "cdan+e".</summary>
    private static IEnumerable<string> Split(string specification)
    {
        string s = specification.Replace("cdan+e", "cdan-e", StringComparison.OrdinalIgnoreCase);
        return s.Split('+', StringSplitOptions.TrimEntries);
    }

    /// <summary>Off until progress <paramref name="delay"/>, then 1; null for no delay (the method's own default).</summary>
    private static ILambdaSchedule? DelaySchedule(double delay) =>
        delay == 0 ? null : LambdaSchedules.Delayed(LambdaSchedules.Constant(1.0), delay);

    private static nn.Module<Tensor, Tensor>? SecondClassifier(MethodRequest request)
    {
        if (request.CreateModel is null) return null;
        AdaptationModel other = request.CreateModel();
        return other.LabelClassifier;
    }
}
