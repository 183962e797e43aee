using System.Globalization;
using static TorchSharp.torch;

namespace DomainAdaptation.Methods.Discrepancy;

/// <summary>
/// Gaussian kernel matrices and maximum mean discrepancies over them, as DAN and JAN use them: on the rows of
/// <c>Z = [S; T]</c> (n source rows, then n target rows), <c>K_u = exp(−‖z_i − z_j‖² / (2 σ_u²))</c> with
/// <c>σ_u² = α_u · mean_{i,j} ‖z_i − z_j‖²</c> (the bandwidth follows the batch, detached from the gradient, as in
/// Transfer-Learning-Library's <c>GaussianKernel(track_running_stats=True)</c>), or a fixed σ.
/// </summary>
public static class GaussianKernels
{
    /// <summary>DAN's bandwidth multipliers α = 2^−3 … 2^1 (tllib's examples/dan.py; five kernels).</summary>
    public static IReadOnlyList<double> DefaultMultipliers { get; } = [0.125, 0.25, 0.5, 1.0, 2.0];

    /// <summary>JAN's fixed bandwidth of the kernel on the softmax layer (tllib's examples/jan.py: σ = 0.92).</summary>
    public const double JanSoftmaxSigma = 0.92;

    /// <summary>
    /// Squared Euclidean distances between all rows of <paramref name="z"/>: <c>[m, m]</c>, as
    /// <c>‖z_i‖² + ‖z_j‖² − 2 z_i·z_j</c> (one matrix product instead of an <c>[m, m, d]</c> difference tensor: at
    /// m = 128, d = 1,200 the DAN step went from 190 ms to the figure in docs/methods.md), clamped at 0 against rounding.
    /// </summary>
    /// <param name="z">Rows <c>[m, d]</c>.</param>
    /// <returns>The distances, ≥ 0.</returns>
    public static Tensor SquaredDistances(Tensor z)
    {
        ArgumentNullException.ThrowIfNull(z);
        Tensor norms = z.pow(2).sum(1, keepdim: true);
        return (norms + norms.t() - z.matmul(z.t()).mul(2.0)).clamp_min(0.0);
    }

    /// <summary>
    /// <c>Σ_u exp(−D / (2 α_u · mean(D)))</c>: the sum of Gaussian kernel matrices with bandwidths relative to the mean
    /// squared distance (detached).
    /// </summary>
    /// <param name="distances">Squared distances <c>[m, m]</c>.</param>
    /// <param name="multipliers">The α_u; each positive.</param>
    /// <returns>The kernel matrix <c>[m, m]</c>.</returns>
    public static Tensor AdaptiveSum(Tensor distances, IReadOnlyList<double> multipliers)
    {
        ArgumentNullException.ThrowIfNull(distances);
        ArgumentNullException.ThrowIfNull(multipliers);
        Tensor meanDistance = distances.detach().mean();
        Tensor? sum = null;
        foreach (double alpha in multipliers)
        {
            Tensor k = distances.div(meanDistance.mul(2.0 * alpha)).neg().exp();
            sum = sum is null ? k : sum + k;
        }

        return sum ?? throw new ArgumentException("At least one kernel is needed.", nameof(multipliers));
    }

    /// <summary><c>exp(−D / (2σ²))</c> with a fixed σ.</summary>
    /// <param name="distances">Squared distances <c>[m, m]</c>.</param>
    /// <param name="sigma">σ &gt; 0.</param>
    /// <returns>The kernel matrix.</returns>
    public static Tensor Fixed(Tensor distances, double sigma)
    {
        ArgumentNullException.ThrowIfNull(distances);
        return distances.div(2.0 * sigma * sigma).neg().exp();
    }

    /// <summary>The MMD² estimate from a kernel matrix over <c>[S; T]</c> (n + n rows).</summary>
    /// <param name="kernel">The kernel matrix <c>[2n, 2n]</c>.</param>
    /// <param name="estimator">Which estimate.</param>
    /// <returns>A scalar.</returns>
    /// <exception cref="ArgumentException">When the matrix is not square with an even side of at least 4 (the unbiased and linear estimates need n ≥ 2).</exception>
    public static Tensor Mmd(Tensor kernel, MmdEstimator estimator)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (kernel.dim() != 2 || kernel.shape[0] != kernel.shape[1] || kernel.shape[0] % 2 != 0 || kernel.shape[0] < 4)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"An MMD needs a kernel matrix over n source and n target samples, [2n, 2n] with n ≥ 2, but got [{string.Join(", ", kernel.shape)}]: the source and target halves of a batch must have the same size."), nameof(kernel));
        }

        long n = kernel.shape[0] / 2;
        Tensor ss = kernel.narrow(0, 0, n).narrow(1, 0, n);
        Tensor tt = kernel.narrow(0, n, n).narrow(1, n, n);
        Tensor st = kernel.narrow(0, 0, n).narrow(1, n, n);
        switch (estimator)
        {
            case MmdEstimator.Biased:
                return ss.mean() + tt.mean() - st.mean().mul(2.0);
            case MmdEstimator.Unbiased:
            {
                // Σ_{i≠j} of each block: the block's sum minus its trace.
                double pairs = n * (n - 1);
                Tensor within = ss.sum() - ss.diagonal().sum() + tt.sum() - tt.diagonal().sum();
                Tensor cross = st.sum() - st.diagonal().sum();
                return (within - cross.mul(2.0)).div(pairs);
            }

            case MmdEstimator.Linear:
            {
                // Row i pairs with i' = (i + 1) mod n: gather column i' of each row (and of the transposed block for k(s_i', t_i)).
                Tensor next = arange(n, ScalarType.Int64, kernel.device).add(1).remainder(n).unsqueeze(1);
                Tensor h = ss.gather(1, next) + tt.gather(1, next) - st.gather(1, next) - st.t().gather(1, next);
                return h.mean();
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(estimator), estimator, "Use an MmdEstimator value.");
        }
    }
}
