namespace DomainAdaptation.Models;

/// <summary>Output sizes of convolutions and poolings (PyTorch's floor rule, <c>ceil_mode = false</c>).</summary>
internal static class ConvArithmetic
{
    /// <summary><c>⌊(size + 2·padding − kernel) / stride⌋ + 1</c>, or 0 when the window does not fit.</summary>
    /// <param name="size">The input size along one axis.</param>
    /// <param name="kernel">The window size.</param>
    /// <param name="stride">The stride.</param>
    /// <param name="padding">The zero padding on each side.</param>
    /// <returns>The output size, 0 if nothing is left.</returns>
    public static long Out(long size, long kernel, long stride = 1, long padding = 0)
    {
        long span = size + (2 * padding) - kernel;
        return span < 0 || size <= 0 ? 0 : (span / stride) + 1;
    }
}
