using System.Globalization;
using System.Text.Json.Nodes;
using DomainAdaptation.Data.Augmentation;
using DomainAdaptation.Models;
using DomainAdaptation.Schedules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DomainAdaptation.Methods.SelfTraining;

/// <summary>
/// Mean teacher / self-ensembling for domain adaptation (Tarvainen &amp; Valpola, NeurIPS 2017; French et al., ICLR 2018,
/// "Self-ensembling for visual domain adaptation"): a teacher whose weights are an exponential moving average of the
/// student's gives targets on the unlabelled target domain, and the student (the trained model) is trained to agree with
/// them under different augmentations,
/// <c>L = CE(source) + w · (1/B) Σ_i 1[max p^T_i ≥ c] · mean_k (p^S_{ik} − p^T_{ik})²</c>, with
/// <c>p^S = softmax(student(A₁(x_t)))</c> and <c>p^T = softmax(teacher(A₂(x_t)))</c> (no gradient).
/// </summary>
/// <remarks>
/// <para>
/// After each step the teacher's parameters follow the student's, <c>θ′ ← α θ′ + (1 − α) θ</c>, and its batch-norm
/// buffers are copied from the student. Evaluation, checkpoints' "evaluated" weights and shipping use the teacher
/// (<see cref="AdaptationMethod.InferenceModel"/>; <c>method.teacher.*</c>).
/// </para>
/// <para>
/// Defaults from French et al. (their code's <c>--teacher_alpha 0.99 --unsup_weight 3 --cls_balance 0.005</c>,
/// confidence threshold 0.968): α = 0.99, w = 3, c = 0.968; both views are <see cref="BatchAugmentation.Weak"/>
/// (streams 3 and 4); the student's view joins the step's shared pass (<see cref="StepForward.AddTargetViews"/>). Their class-balance loss is not included. The teacher is a second instance of the model's
/// architecture, given to the constructor; its weights are overwritten with the student's at initialisation.
/// </para>
/// </remarks>
public sealed class MeanTeacher : LossMethod
{
    private readonly AdaptationModel _teacher;
    private AdaptationModel? _student;

    /// <summary>Creates the method.</summary>
    /// <param name="teacher">A second instance of the model's architecture (e.g. the same preset built again); it becomes the teacher.</param>
    /// <param name="decay">α, the EMA decay; in [0, 1).</param>
    /// <param name="weight">w, the weight of the consistency term; finite, ≥ 0.</param>
    /// <param name="confidenceThreshold">c: samples whose teacher confidence is below it are masked out; in [0, 1) (0 keeps all).</param>
    /// <param name="rampUp">A factor on w as a function of progress (Tarvainen &amp; Valpola ramp it up), or null for none.</param>
    /// <param name="augmentation">The views' settings; null for the defaults.</param>
    public MeanTeacher(AdaptationModel teacher, double decay = 0.99, double weight = 3.0, double confidenceThreshold = 0.968, ILambdaSchedule? rampUp = null, WeakAugmentation? augmentation = null)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        if (!(decay >= 0 && decay < 1)) throw new ArgumentOutOfRangeException(nameof(decay), decay, "The teacher's EMA decay must be in [0, 1) (e.g. 0.99).");
        if (!(confidenceThreshold >= 0 && confidenceThreshold < 1)) throw new ArgumentOutOfRangeException(nameof(confidenceThreshold), confidenceThreshold, "The confidence threshold must be in [0, 1).");
        _teacher = teacher;
        Decay = decay;
        Weight = NonNegative(weight, nameof(weight));
        ConfidenceThreshold = confidenceThreshold;
        RampUp = rampUp;
        Augmentation = augmentation ?? new WeakAugmentation();
    }

    /// <inheritdoc />
    public override string Name => "mean-teacher";

    /// <inheritdoc />
    public override ForwardNeeds Needs => ForwardNeeds.Source;

    /// <summary>α, the EMA decay.</summary>
    public double Decay { get; }

    /// <summary>w, the weight of the consistency term.</summary>
    public double Weight { get; }

    /// <summary>The teacher-confidence threshold c.</summary>
    public double ConfidenceThreshold { get; }

    /// <summary>The ramp-up of w, or null.</summary>
    public ILambdaSchedule? RampUp { get; }

    /// <summary>The views' settings.</summary>
    public WeakAugmentation Augmentation { get; }

    /// <summary>The teacher.</summary>
    public AdaptationModel Teacher => _teacher;

    /// <inheritdoc />
    public override AdaptationModel? InferenceModel => _teacher;

    /// <inheritdoc />
    public override string? InferenceModule => "teacher";

    /// <inheritdoc />
    public override JsonObject Settings => new()
    {
        ["Decay"] = Decay,
        ["Weight"] = Weight,
        ["ConfidenceThreshold"] = ConfidenceThreshold,
        ["RampUp"] = RampUp?.ToString(),
        ["Augmentation"] = Augmentation.ToString(),
    };

    /// <inheritdoc />
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"mean teacher (α = {Decay}, weight {Weight}, confidence ≥ {ConfidenceThreshold}; the teacher is evaluated)");

    /// <summary>The masked consistency loss and the share of samples kept.</summary>
    /// <param name="studentLogits">Student logits <c>[B, K]</c>.</param>
    /// <param name="teacherLogits">Teacher logits <c>[B, K]</c> (detached inside).</param>
    /// <param name="confidenceThreshold">c.</param>
    /// <returns><c>(1/B) Σ_i mask_i · mean_k (p^S − p^T)²</c> and the mask rate.</returns>
    public static (Tensor Loss, Tensor MaskRate) Loss(Tensor studentLogits, Tensor teacherLogits, double confidenceThreshold = 0.968)
    {
        ArgumentNullException.ThrowIfNull(studentLogits);
        ArgumentNullException.ThrowIfNull(teacherLogits);
        Tensor pt = teacherLogits.detach().softmax(1);
        Tensor ps = studentLogits.softmax(1);
        Tensor mask = pt.max(1).values.ge(confidenceThreshold).to_type(ps.dtype);
        Tensor loss = (ps - pt).pow(2).mean(new long[] { 1 }).mul(mask).mean();
        return (loss, mask.to_type(ScalarType.Float64).mean());
    }

    /// <summary>One EMA step: <c>θ′ ← α θ′ + (1 − α) θ</c> for the parameters, buffers copied.</summary>
    /// <param name="teacher">The teacher (updated in place).</param>
    /// <param name="student">The student.</param>
    /// <param name="decay">α.</param>
    public static void Follow(nn.Module teacher, nn.Module student, double decay)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(student);
        using var noGrad = no_grad();
        Dictionary<string, Parameter> parameters = student.named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
        foreach ((string name, Parameter target) in teacher.named_parameters())
        {
            target.mul_(decay).add_(parameters[name].detach().to_type(target.dtype), alpha: 1.0 - decay);
        }

        Dictionary<string, Tensor> buffers = student.named_buffers().ToDictionary(b => b.name, b => b.buffer, StringComparer.Ordinal);
        foreach ((string name, Tensor target) in teacher.named_buffers())
        {
            target.copy_(buffers[name]);
        }
    }

    /// <inheritdoc />
    public override void AfterStep(AdaptationModel model, StepContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        Follow(_teacher, model, Decay);
    }

    /// <inheritdoc />
    protected override void OnInitialize(MethodSetup setup)
    {
        _student = setup.Model;
        if (ReferenceEquals(_teacher, setup.Model))
        {
            throw new ArgumentException("The mean teacher must be a second instance of the model's architecture, not the trained model itself.");
        }

        Dictionary<string, Tensor> student = setup.Model.state_dict();
        Dictionary<string, Tensor> teacher = _teacher.state_dict();
        string[] missing = [.. student.Keys.Except(teacher.Keys).Order(StringComparer.Ordinal)];
        string[] extra = [.. teacher.Keys.Except(student.Keys).Order(StringComparer.Ordinal)];
        string? shape = student.Where(kv => teacher.TryGetValue(kv.Key, out Tensor? t) && !t.shape.SequenceEqual(kv.Value.shape)).Select(kv => kv.Key).FirstOrDefault();
        if (missing.Length > 0 || extra.Length > 0 || shape is not null)
        {
            throw new ModelCompositionException($"The mean teacher's architecture differs from the model's: missing [{string.Join(", ", missing)}], extra [{string.Join(", ", extra)}]{(shape is null ? string.Empty : $", '{shape}' has another shape")}. Build the teacher the way the model was built (e.g. the same preset).");
        }

        Place(_teacher, setup);
        using (no_grad())
        {
            // Moving the teacher may replace its tensors: read its state again.
            foreach ((string key, Tensor value) in _teacher.state_dict()) value.copy_(student[key]);
        }

        AddModule("teacher", _teacher, trainable: false);
    }

    /// <inheritdoc />
    protected internal override void AddInputs(StepForward forward, StepContext context)
    {
        ArgumentNullException.ThrowIfNull(forward);
        ArgumentNullException.ThrowIfNull(context);
        if (WeightAt(context) == 0) return;
        forward.AddTargetViews(this, BatchAugmentation.Weak(forward.Batch.TargetImages, context.Generator(3), Augmentation));
    }

    private double WeightAt(StepContext context) => Weight * (RampUp?.ValueAt(context.Progress) ?? 1.0);

    /// <inheritdoc />
    protected internal override void AddAdaptationTerms(StepForward forward, StepContext context, LossTermsBuilder terms)
    {
        ArgumentNullException.ThrowIfNull(forward);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(terms);
        double weight = WeightAt(context);
        if (weight == 0)
        {
            // Off (a delay, or w = 0): no views, no teacher pass, the same columns.
            terms.Add("consistency", zeros([], ScalarType.Float32, forward.Batch.TargetImages.device), 0);
            terms.Metric("mask_rate", zeros([], ScalarType.Float64, forward.Batch.TargetImages.device));
            if (RampUp is not null) terms.Schedule("consistency_weight", weight);
            return;
        }

        Tensor x = forward.Batch.TargetImages;
        Tensor studentLogits = forward.TargetViewLogits(this);
        Tensor teacherLogits;
        using (no_grad())
        {
            teacherLogits = StepForward.ToLossPrecision(_teacher.forward(BatchAugmentation.Weak(x, context.Generator(4), Augmentation)));
        }

        (Tensor loss, Tensor rate) = Loss(studentLogits, teacherLogits, ConfidenceThreshold);
        terms.Add("consistency", loss, weight);
        terms.Metric("mask_rate", rate);
        if (RampUp is not null) terms.Schedule("consistency_weight", weight);
    }
}
