using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation;

/// <summary>
/// The gradient reversal operation of Ganin &amp; Lempitsky (ICML 2015) as a custom autograd function:
/// forward <c>R(x) = x</c>; backward <c>∂L/∂x = −λ · ∂L/∂R(x)</c>.
/// </summary>
/// <remarks>
/// TorchSharp keeps one static instance of the function, so λ travels per call through the autograd context
/// (<c>ctx.save_data</c>), never through a field. <c>backward</c> returns one entry per argument given to
/// <c>apply</c>: the input's gradient, and null for λ.
/// </remarks>
internal sealed class GradientReversalFunction : torch.autograd.SingleTensorFunction<GradientReversalFunction>
{
    private const string LambdaKey = "lambda";

    /// <inheritdoc />
    public override string Name => "GradientReversal";

    /// <inheritdoc />
    public override Tensor forward(torch.autograd.AutogradContext ctx, params object[] vars)
    {
        var input = (Tensor)vars[0];
        ctx.save_data(LambdaKey, (double)vars[1]);
        // A view, not the input itself: autograd needs a distinct output tensor to attach this node to.
        return input.view_as(input);
    }

    /// <inheritdoc />
    public override List<Tensor> backward(torch.autograd.AutogradContext ctx, Tensor grad_output)
    {
        double lambda = (double)ctx.get_data(LambdaKey);
        return new List<Tensor> { grad_output.mul(-lambda), null! };
    }
}
