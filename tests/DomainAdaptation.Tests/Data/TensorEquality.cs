using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Data;

internal static class TensorEquality
{
    /// <summary>Same shape, same dtype and every element equal.</summary>
    public static bool SameAs(this Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape) || a.dtype != b.dtype) return false;
        using Tensor eq = a.eq(b);
        using Tensor all = eq.all();
        return all.item<bool>();
    }
}
