using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Methods.Adversarial;

/// <summary>
/// CDAN's conditioning map of features f <c>[B, F]</c> and class probabilities g <c>[B, K]</c> (Long et al., NeurIPS 2018,
/// §3.1): the multilinear map <c>T⊗(f, g) = vec(g ⊗ f)</c> <c>[B, K·F]</c> (entry k·F + i is g_k f_i), or, when K·F is
/// large, the randomized multilinear map <c>T⊙(f, g) = (f R_f) ⊙ (g R_g) / √d</c> <c>[B, d]</c> with fixed Gaussian
/// matrices R_f <c>[F, d]</c>, R_g <c>[K, d]</c> drawn once (buffers <c>r_f</c>, <c>r_g</c>, saved in checkpoints, never trained),
/// whose inner products approximate T⊗'s in expectation.
/// </summary>
public sealed class MultilinearMap : nn.Module<Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006 // Field names are the state-dict keys.
    private readonly Tensor? r_f;
    private readonly Tensor? r_g;
#pragma warning restore IDE1006

    /// <summary>Creates the map.</summary>
    /// <param name="features">F.</param>
    /// <param name="classes">K.</param>
    /// <param name="randomizedDimension">d for the randomized map, or null for the full multilinear map.</param>
    /// <param name="seed">The seed of R_f and R_g (randomized map only).</param>
    public MultilinearMap(long features, long classes, int? randomizedDimension, long seed)
        : base(nameof(MultilinearMap))
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        Features = features;
        Classes = classes;
        if (randomizedDimension is int d)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(d);
            using var generator = new Generator((ulong)seed, CPU);
            r_f = randn([features, d], ScalarType.Float32, CPU, generator: generator).DetachFromDisposeScope();
            r_g = randn([classes, d], ScalarType.Float32, CPU, generator: generator).DetachFromDisposeScope();
        }

        OutputDimension = randomizedDimension ?? checked(features * classes);
        RegisterComponents();
    }

    /// <summary>F.</summary>
    public long Features { get; }

    /// <summary>K.</summary>
    public long Classes { get; }

    /// <summary>Whether the map is the randomized one.</summary>
    public bool IsRandomized => r_f is not null;

    /// <summary>The output width: K·F, or d.</summary>
    public long OutputDimension { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor f, Tensor g)
    {
        if (f.dim() != 2 || f.shape[1] != Features || g.dim() != 2 || g.shape[1] != Classes || f.shape[0] != g.shape[0])
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"CDAN's map takes features [B, {Features}] and probabilities [B, {Classes}], but got [{string.Join(", ", f.shape)}] and [{string.Join(", ", g.shape)}]."));
        }

        if (r_f is null)
        {
            return g.unsqueeze(2).mul(f.unsqueeze(1)).reshape(f.shape[0], -1);
        }

        Tensor rf = r_f.to_type(f.dtype);
        Tensor rg = r_g!.to_type(f.dtype);
        return f.matmul(rf).mul(g.to_type(f.dtype).matmul(rg)).div(Math.Sqrt(OutputDimension));
    }
}
