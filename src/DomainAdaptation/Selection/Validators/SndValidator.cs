using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Selection.Validators;

/// <summary>
/// Soft neighbourhood density, SND (Saito et al., ICCV 2021, "Tune it the Right Way: Unsupervised Validation of Domain
/// Adaptation via Soft Neighborhood Density"): how densely the target samples cluster in the space of the model's
/// predictions. With the L2-normalised softmax outputs <c>q_i</c>, the similarities <c>s_ij = q_i·q_j</c> (i ≠ j), the soft
/// neighbour distribution <c>P_ij = softmax_j(s_ij / τ)</c>, <c>SND = mean_i H(P_i)</c>; higher is better.
/// </summary>
/// <remarks>
/// τ = 0.05, on the softmax outputs, as the paper and pytorch-adapt's <c>SNDValidator</c>. The N × N similarities are
/// computed in blocks of <see cref="BlockRows"/> rows, so memory stays at N × 1,024 values.
/// </remarks>
public sealed class SndValidator : IValidator
{
    /// <summary>Rows of the similarity matrix computed at once.</summary>
    public const int BlockRows = 1024;

    /// <summary>Creates the validator.</summary>
    /// <param name="temperature">τ &gt; 0.</param>
    public SndValidator(double temperature = 0.05)
    {
        if (!double.IsFinite(temperature) || temperature <= 0) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, string.Create(CultureInfo.InvariantCulture, $"SND's temperature must be a finite number > 0, but was {temperature}."));
        Temperature = temperature;
    }

    /// <summary>τ.</summary>
    public double Temperature { get; }

    /// <inheritdoc />
    public string Name => "snd";

    /// <summary>SND of target logits.</summary>
    /// <param name="logits">Logits <c>[N, K]</c>, N ≥ 2.</param>
    /// <param name="temperature">τ.</param>
    /// <param name="cancellationToken">Checked between blocks.</param>
    /// <returns>The mean entropy of the soft neighbour distributions.</returns>
    public static double Density(Tensor logits, double temperature = 0.05, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(logits);
        long n = logits.shape[0];
        if (n < 2) throw new ArgumentException("SND needs at least two target samples.", nameof(logits));
        using var scope = NewDisposeScope();
        Tensor q = nn.functional.normalize(logits.softmax(1), p: 2.0, dim: 1);
        double sum = 0;
        for (long start = 0; start < n; start += BlockRows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var block = NewDisposeScope();
            long rows = Math.Min(BlockRows, n - start);
            Tensor s = q.narrow(0, start, rows).matmul(q.t());
            // Leave each sample out of its own neighbourhood.
            Tensor self = arange(rows, ScalarType.Int64).add(start).unsqueeze(1);
            s = s.scatter(1, self, full([rows, 1], double.NegativeInfinity, s.dtype));
            Tensor logP = s.div(temperature).log_softmax(1);
            Tensor p = logP.exp();
            sum += p.mul(logP.masked_fill(p.eq(0), 0)).sum(1).neg().sum().ToDouble();
        }

        return sum / n;
    }

    /// <inheritdoc />
    public ValidationScore Score(ValidationData data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        return ValidationScore.Of(Name, Density(data.TargetOutputs.Logits, Temperature, cancellationToken));
    }
}
