using System.Globalization;
using DomainAdaptation.Runtime;
using static TorchSharp.torch;

namespace DomainAdaptation;

/// <summary>Tensor extensions for gradient reversal.</summary>
public static class GradientReversalExtensions
{
    /// <summary>
    /// Applies gradient reversal to <paramref name="input"/>: the result has the same values, and during
    /// back-propagation the gradient flowing into <paramref name="input"/> is multiplied by <c>−λ</c>.
    /// </summary>
    /// <param name="input">The tensor whose gradient is reversed.</param>
    /// <param name="lambda">The coefficient λ; must be finite. λ = 0 stops the gradient.</param>
    /// <returns>A tensor with the values of <paramref name="input"/>.</returns>
    /// <exception cref="ArgumentNullException">When <paramref name="input"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="lambda"/> is NaN or infinite.</exception>
    public static Tensor ReverseGradient(this Tensor input, double lambda = 1.0)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckLambda(lambda, nameof(lambda));
        TorchRuntime.EnsureInitialized();

        if (!input.requires_grad || !is_grad_enabled())
        {
            // Nothing will flow back: return the same values without a node, as any operation under no_grad() does.
            // Not alias(): in TorchSharp that is a second handle to the SAME tensor, so under no_grad() it would still
            // require grad, and a later backward through it would reach the input un-reversed.
            return input.detach();
        }

        return GradientReversalFunction.apply(input, lambda);
    }

    internal static double CheckLambda(double lambda, string paramName)
    {
        if (!double.IsFinite(lambda))
        {
            throw new ArgumentOutOfRangeException(
                paramName,
                lambda,
                string.Create(CultureInfo.InvariantCulture, $"The gradient reversal coefficient λ must be a finite number, but was {lambda}."));
        }

        return lambda;
    }
}
