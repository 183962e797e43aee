using System.Text.Json.Nodes;
using DomainAdaptation.Models;
using static TorchSharp.torch;

namespace DomainAdaptation.Methods;

/// <summary>
/// Loss methods composed: the first part's supervised term, then every part's own terms, each with its weight and
/// schedule, all on one shared forward pass — for example DANN + MCC (<c>"dann+mcc"</c>), or CDAN+E + entropy
/// minimisation. The objective is <c>L = CE(source) + Σ_parts Σ_terms w_term(p) · term</c>.
/// </summary>
/// <remarks>
/// Each part keeps its settings and its modules; a part's modules are saved as <c>method.{part}.{module}.*</c>. The
/// shared pass carries every half some part needs. A term or metric name two parts share is prefixed with the later
/// part's name. Evaluation uses the first part that has a domain classifier for the domain-classifier accuracy, and the
/// first part that names an inference model (a mean teacher) for predictions.
/// </remarks>
public sealed class CompositeMethod : LossMethod, IDomainDiscriminator
{
    private readonly LossMethod[] _parts;

    /// <summary>Composes loss methods.</summary>
    /// <param name="parts">Two or more loss methods; the first gives the supervised term (source-only or target-only is not a part).</param>
    /// <exception cref="ArgumentException">When fewer than two parts are given, a part is itself initialised, or two parts are the same instance.</exception>
    public CompositeMethod(params LossMethod[] parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Length < 2) throw new ArgumentException("A composite method needs at least two parts, e.g. DANN and MCC.", nameof(parts));
        if (parts.Distinct().Count() != parts.Length) throw new ArgumentException("A composite method's parts must be distinct instances.", nameof(parts));
        foreach (LossMethod part in parts)
        {
            ArgumentNullException.ThrowIfNull(part, nameof(parts));
            if (part.IsInitialized) throw new ArgumentException($"The part '{part.Name}' is already initialised for another run.", nameof(parts));
            if (part is Supervised.SourceOnly or Supervised.TargetOnly) throw new ArgumentException($"'{part.Name}' has no terms of its own to compose; use it on its own.", nameof(parts));
        }

        _parts = parts;
    }

    /// <summary>The parts, in order.</summary>
    public IReadOnlyList<LossMethod> Parts => _parts;

    /// <inheritdoc />
    public override string Name => string.Join("+", _parts.Select(p => p.Name));

    /// <inheritdoc />
    public override JsonObject Settings
    {
        get
        {
            var o = new JsonObject();
            foreach (LossMethod part in _parts) o[part.Name] = part.Settings;
            return o;
        }
    }

    /// <inheritdoc />
    public override ForwardNeeds Needs => _parts.Aggregate(ForwardNeeds.None, (n, p) => n | p.Needs);

    /// <inheritdoc />
    public override AdaptationModel? InferenceModel => _parts.Select(p => p.InferenceModel).FirstOrDefault(m => m is not null);

    /// <inheritdoc />
    public override string? InferenceModule => _parts.Where(p => p.InferenceModule is not null).Select(p => p.Name + "." + p.InferenceModule).FirstOrDefault();

    /// <inheritdoc />
    public override string Describe() => string.Join(" + ", _parts.Select(p => p.Describe()));

    /// <inheritdoc />
    public Tensor DomainLogits(Tensor features, Tensor classLogits) =>
        (_parts.OfType<IDomainDiscriminator>().FirstOrDefault() ?? throw new InvalidOperationException($"'{Name}' has no part with a domain classifier."))
            .DomainLogits(features, classLogits);

    /// <summary>Whether a part has a domain classifier (evaluation then reports its accuracy).</summary>
    public bool HasDomainClassifier => _parts.OfType<IDomainDiscriminator>().Any();

    /// <inheritdoc />
    public override void AfterStep(AdaptationModel model, StepContext context)
    {
        foreach (LossMethod part in _parts) part.AfterStep(model, context);
    }

    /// <inheritdoc />
    protected override void OnInitialize(MethodSetup setup)
    {
        for (int i = 0; i < _parts.Length; i++)
        {
            LossMethod part = _parts[i];
            // Each part draws its weights from a seed of its own, so adding a part does not change the others' weights.
            part.Initialize(setup with { Seed = i == 0 ? setup.Seed : (long)(Data.Batching.DeterministicRandom.Mix(setup.Seed, 5, i) >> 1) });
            foreach (MethodModule module in part.Modules)
            {
                AddModule(part.Name + "." + module.Name, module.Module, module.LearningRateMultiplier, module.Trainable);
            }
        }
    }

    /// <inheritdoc />
    internal override void AddTerms(StepForward forward, StepContext context, LossTermsBuilder terms)
    {
        _parts[0].AddSupervisedTerm(forward, terms);
        foreach (LossMethod part in _parts)
        {
            terms.DisambiguationPrefix = part.Name.Replace('-', '_');
            part.AddAdaptationTerms(forward, context, terms);
        }

        terms.DisambiguationPrefix = null;
    }

    /// <inheritdoc />
    protected internal override void AddInputs(StepForward forward, StepContext context)
    {
        foreach (LossMethod part in _parts) part.AddInputs(forward, context);
    }

    /// <inheritdoc />
    protected internal override void AddAdaptationTerms(StepForward forward, StepContext context, LossTermsBuilder terms)
    {
        foreach (LossMethod part in _parts) part.AddAdaptationTerms(forward, context, terms);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        // The parts own the modules registered here under prefixed names; dispose through the parts only.
        if (disposing)
        {
            foreach (LossMethod part in _parts) part.Dispose();
        }
    }
}
