using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Methods;

/// <summary>Small fixed float64 batches and gradient helpers for checking methods against hand-written formulas.</summary>
internal static class MethodTestSupport
{
    /// <summary>The tolerance of value and gradient comparisons in float64.</summary>
    public const double Tolerance = 1e-10;

    /// <summary>A fixed [rows, columns] float64 tensor drawn from a seeded generator (normal, scaled).</summary>
    public static Tensor Fixed(long rows, long columns, ulong seed, double scale = 1.0, double shift = 0.0)
    {
        using var generator = new Generator(seed);
        return randn([rows, columns], ScalarType.Float64, generator: generator).mul(scale).add(shift);
    }

    /// <summary>A leaf copy that records gradients.</summary>
    public static Tensor Leaf(Tensor t) => t.detach().clone().requires_grad_(true);

    /// <summary>The gradient of a scalar function at <paramref name="x"/> (on a fresh leaf).</summary>
    public static Tensor Gradient(Func<Tensor, Tensor> f, Tensor x)
    {
        Tensor leaf = Leaf(x);
        f(leaf).backward();
        return leaf.grad!.detach().clone();
    }

    /// <summary>The gradients of a scalar function of two tensors.</summary>
    public static (Tensor, Tensor) Gradients(Func<Tensor, Tensor, Tensor> f, Tensor a, Tensor b)
    {
        Tensor la = Leaf(a), lb = Leaf(b);
        f(la, lb).backward();
        return (la.grad?.detach().clone() ?? zeros_like(a), lb.grad?.detach().clone() ?? zeros_like(b));
    }

    /// <summary>The largest absolute difference.</summary>
    public static double MaxDifference(Tensor a, Tensor b) => a.sub(b).abs().max().ToDouble();

    /// <summary>The rows of a float64 matrix as arrays.</summary>
    public static double[][] Rows(Tensor m)
    {
        double[] flat = m.detach().contiguous().data<double>().ToArray();
        long r = m.shape[0], c = m.shape[1];
        return [.. Enumerable.Range(0, (int)r).Select(i => flat.AsSpan((int)(i * c), (int)c).ToArray())];
    }

    /// <summary>Softmax of one row, written out.</summary>
    public static double[] Softmax(double[] z, double temperature = 1.0)
    {
        double max = z.Max() / temperature;
        double[] e = [.. z.Select(v => Math.Exp((v / temperature) - max))];
        double sum = e.Sum();
        return [.. e.Select(v => v / sum)];
    }

    /// <summary>A tensor's elements as a scalar tensor sum over a hand-written per-element function (for differentiable references).</summary>
    public static Tensor Scalar(double value) => tensor(value, ScalarType.Float64);
}

/// <summary>Runs a loss method's terms on one hand-made batch of a tiny float64 model.</summary>
internal static class MethodHarness
{
    /// <summary>A linear classifier on the raw inputs (features = inputs): <c>[B, d] → [B, K]</c>, float64, seeded.</summary>
    public static DomainAdaptation.Models.AdaptationModel LinearModel(int inputs, int classes, long seed)
    {
        random.manual_seed(seed);
        var model = new DomainAdaptation.Models.AdaptationModel(TorchSharp.torch.nn.Identity(), TorchSharp.torch.nn.Linear(inputs, classes));
        model.to(ScalarType.Float64);
        return model;
    }

    /// <summary>Initialises the method for the model (features = the model's feature width).</summary>
    public static void Initialize(DomainAdaptation.Methods.AdaptationMethod method, DomainAdaptation.Models.AdaptationModel model, int inputs, int classes, long seed = 5) =>
        method.Initialize(new DomainAdaptation.Methods.MethodSetup(model, DomainAdaptation.Data.SampleShape.Vector(inputs), inputs, classes, CPU, ScalarType.Float64, seed));

    /// <summary>The method's terms on the batch at a given progress (one joint pass or one per domain).</summary>
    public static DomainAdaptation.Methods.LossTerms Losses(
        DomainAdaptation.Methods.LossMethod method,
        DomainAdaptation.Models.AdaptationModel model,
        Tensor xs,
        Tensor ys,
        Tensor xt,
        long step = 3,
        long total = 10,
        DomainAdaptation.Training.BatchNormMode passes = DomainAdaptation.Training.BatchNormMode.Joint)
    {
        var batch = new DomainAdaptation.Data.DomainBatch(xs, ys, xt, null);
        var forward = new DomainAdaptation.Methods.StepForward(model, batch, passes, method.Needs);
        using var context = new DomainAdaptation.Methods.StepContext(step, total, 1, CPU, ScalarType.Float64);
        return method.Losses(forward, context);
    }

    /// <summary>The term named <paramref name="name"/>.</summary>
    public static DomainAdaptation.Methods.LossTerm Term(this DomainAdaptation.Methods.LossTerms terms, string name) => terms.Terms.Single(t => t.Name == name);
}
