using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation;

/// <summary>
/// The gradient reversal layer (GRL): an identity in the forward pass that multiplies the gradient by −λ in the
/// backward pass. Placed between a feature extractor and a domain classifier, it turns the classifier's
/// minimisation into a maximisation for the features, so they become indistinguishable between domains.
/// </summary>
/// <remarks>
/// <para>Forward: <c>y = x</c> (values bitwise equal; same shape, dtype and device). Backward: <c>∂L/∂x = −λ ∂L/∂y</c>.</para>
/// <para>
/// The layer has no parameters and no hidden state other than <see cref="Lambda"/>, which the caller sets explicitly
/// between steps (for example from an <see cref="Schedules.ILambdaSchedule"/>); nothing changes inside
/// <c>forward</c>. Under <c>torch.no_grad()</c>, or when the input does not require a gradient, it returns a detached view of
/// the input (same storage, <c>requires_grad</c> false) and records nothing.
/// </para>
/// </remarks>
public sealed class GradientReversal : nn.Module<Tensor, Tensor>
{
    private double _lambda;

    /// <summary>Creates a gradient reversal layer.</summary>
    /// <param name="lambda">The initial coefficient λ; must be finite.</param>
    /// <param name="name">The module name (appears in <c>ToString</c> and state dictionaries of parents).</param>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="lambda"/> is NaN or infinite.</exception>
    public GradientReversal(double lambda = 1.0, string name = "GradientReversal")
        : base(name)
    {
        Lambda = lambda;
    }

    /// <summary>
    /// The coefficient λ by which the backward pass scales the (negated) gradient. Set it between steps.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When set to NaN or ±∞.</exception>
    public double Lambda
    {
        get => _lambda;
        set => _lambda = GradientReversalExtensions.CheckLambda(value, nameof(Lambda));
    }

    /// <summary>Returns the input's values; reverses and scales the gradient on the way back.</summary>
    /// <param name="input">Any tensor.</param>
    /// <returns>A tensor equal to <paramref name="input"/>.</returns>
    public override Tensor forward(Tensor input) => input.ReverseGradient(_lambda);

    /// <inheritdoc />
    public override string ToString() => $"GradientReversal(lambda={_lambda})";
}
