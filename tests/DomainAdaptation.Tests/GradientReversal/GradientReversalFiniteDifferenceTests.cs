using TorchSharp;
using TorchSharp.Modules;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.GradientReversal;

/// <summary>
/// Group 3 of issue 2 §3: in h(GRL(g(x))), autograd gives g's parameters −λ times the central-difference gradient of
/// the same loss without the reversal layer, and h's parameters the ordinary gradient (float64, ε = 1e-6, rtol 1e-6).
/// </summary>
public class GradientReversalFiniteDifferenceTests
{
    private const double Epsilon = 1e-6;
    private const double RelativeTolerance = 1e-6;

    private readonly ITestOutputHelper _output;

    public GradientReversalFiniteDifferenceTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(0.3)]
    [InlineData(1.0)]
    [InlineData(2.5)]
    public void Backward_SmallNetwork_MatchesMinusLambdaTimesFiniteDifferences(double lambda)
    {
        using var scope = NewDisposeScope();
        var net = new TinyNetwork(seed: 11);
        var x = randn([5, 3], dtype: ScalarType.Float64, generator: new Generator(12));
        var target = randn([5, 2], dtype: ScalarType.Float64, generator: new Generator(13));

        // Autograd through the reversal layer.
        net.ZeroGrad();
        net.Loss(x, target, lambda).backward();
        Dictionary<string, double[]> autograd = net.NamedParameters()
            .ToDictionary(p => p.Name, p => p.Parameter.grad!.data<double>().ToArray());

        // Central differences of the same loss WITHOUT the reversal layer (λ = null: a plain h(g(x))).
        double worst = 0.0;
        foreach ((string name, Parameter parameter) in net.NamedParameters())
        {
            double[] numeric = CentralDifferences(parameter, () => net.Loss(x, target, lambda: null).item<double>());
            double sign = name.StartsWith("g.", StringComparison.Ordinal) ? -lambda : 1.0;
            double[] expected = numeric.Select(v => sign * v).ToArray();

            double[] actual = autograd[name];
            actual.Should().HaveSameCount(expected);
            for (int i = 0; i < actual.Length; i++)
            {
                double relative = Math.Abs(actual[i] - expected[i]) / Math.Abs(expected[i]);
                worst = Math.Max(worst, relative);
                relative.Should().BeLessThanOrEqualTo(
                    RelativeTolerance, $"parameter {name}[{i}]: autograd {actual[i]:R}, {(sign == 1.0 ? "finite difference" : "−λ × finite difference")} {expected[i]:R}");
            }
        }

        _output.WriteLine($"λ = {lambda}: largest relative difference over {autograd.Values.Sum(v => v.Length)} parameters = {worst:E2}");
    }

    [Fact]
    public void Backward_SmallNetwork_GradientsAreLargeEnoughForTheRelativeCheckToBite()
    {
        // Guards the test above against passing vacuously: a relative check is only meaningful on gradients well above
        // the finite differences' round-off (|L|·2⁻⁵²/ε ≈ 1e-10 here).
        using var scope = NewDisposeScope();
        var net = new TinyNetwork(seed: 11);
        var x = randn([5, 3], dtype: ScalarType.Float64, generator: new Generator(12));
        var target = randn([5, 2], dtype: ScalarType.Float64, generator: new Generator(13));
        net.Loss(x, target, lambda: 1.0).backward();

        double[] all = net.NamedParameters().SelectMany(p => p.Parameter.grad!.data<double>().ToArray()).ToArray();
        all.Should().OnlyContain(v => Math.Abs(v) > 1e-3);
    }

    private static double[] CentralDifferences(Parameter parameter, Func<double> loss)
    {
        using var noGrad = no_grad();
        using var flat = parameter.view(-1);
        var result = new double[flat.shape[0]];
        for (long i = 0; i < result.Length; i++)
        {
            double original = flat[i].item<double>();
            flat[i] = original + Epsilon;
            double plus = loss();
            flat[i] = original - Epsilon;
            double minus = loss();
            flat[i] = original;
            result[i] = (plus - minus) / (2 * Epsilon);
        }

        return result;
    }

    /// <summary>g: Linear(3→4)+tanh; h: Linear(4→2); loss: mean squared error. All float64.</summary>
    private sealed class TinyNetwork
    {
        private readonly Linear _g;
        private readonly Linear _h;

        public TinyNetwork(int seed)
        {
            _g = nn.Linear(3, 4, dtype: ScalarType.Float64);
            _h = nn.Linear(4, 2, dtype: ScalarType.Float64);

            // Explicit generator, not the global seed: test classes run in parallel.
            var gen = new Generator((ulong)seed);
            using var noGrad = no_grad();
            foreach ((_, Parameter p) in NamedParameters())
            {
                p.copy_(randn(p.shape, dtype: ScalarType.Float64, generator: gen));
            }
        }

        public IEnumerable<(string Name, Parameter Parameter)> NamedParameters() =>
            _g.named_parameters().Select(p => ("g." + p.name, p.parameter))
                .Concat(_h.named_parameters().Select(p => ("h." + p.name, p.parameter)));

        public void ZeroGrad()
        {
            _g.zero_grad();
            _h.zero_grad();
        }

        /// <summary>The loss; with <paramref name="lambda"/> null the reversal layer is left out entirely.</summary>
        public Tensor Loss(Tensor x, Tensor target, double? lambda)
        {
            var features = _g.forward(x).tanh();
            var reversed = lambda is double l ? features.ReverseGradient(l) : features;
            return nn.functional.mse_loss(_h.forward(reversed), target);
        }
    }
}
