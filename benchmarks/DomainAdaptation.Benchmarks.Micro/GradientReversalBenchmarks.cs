using BenchmarkDotNet.Attributes;
using DomainAdaptation.Runtime;
using static TorchSharp.torch;

namespace DomainAdaptation.Benchmarks.Micro;

/// <summary>
/// The cost of the gradient reversal layer: forward and backward through it on a 128×768 float32 tensor (the MNIST
/// preset's features for 64 + 64 images), against a plain identity (<c>alias</c>) whose backward passes the gradient
/// through unchanged. The difference is what the reversal adds per step. The "detach trick"
/// (<c>−λx + (1 + λ)·detach(x)</c>), the usual alternative without a custom autograd function, is measured for comparison.
/// </summary>
public class GradientReversalBenchmarks
{
    private Tensor _input = null!;
    private Tensor _gradOutput = null!;
    private Tensor[] _inputs = null!;

    /// <summary>
    /// Creates the tensors and applies the intra-op thread count: the environment variable <c>BENCH_THREADS</c>, else the
    /// number of cores. On a busy machine use 1: a parallel kernel then waits for a descheduled thread at its barrier.
    /// </summary>
    [GlobalSetup]
    public void Setup()
    {
        BenchThreads.Apply();
        var generator = new Generator(1);
        _input = randn([128, 768], dtype: ScalarType.Float32, generator: generator).requires_grad_(true);
        _gradOutput = randn([128, 768], dtype: ScalarType.Float32, generator: generator);
        _inputs = [_input];
    }

    /// <summary>Disposes the tensors.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _input.Dispose();
        _gradOutput.Dispose();
    }

    /// <summary>Forward and backward through an alias (identity): the baseline.</summary>
    [Benchmark(Baseline = true)]
    public float Identity()
    {
        using var scope = NewDisposeScope();
        return Backward(_input.alias());
    }

    /// <summary>Forward and backward through the library's reversal (custom autograd function).</summary>
    [Benchmark]
    public float Reversal()
    {
        using var scope = NewDisposeScope();
        return Backward(_input.ReverseGradient(0.5));
    }

    /// <summary>Forward and backward through the detach trick.</summary>
    [Benchmark]
    public float DetachTrick()
    {
        using var scope = NewDisposeScope();
        const double lambda = 0.5;
        return Backward(_input.mul(-lambda).add(_input.detach().mul(1 + lambda)));
    }

    private float Backward(Tensor output)
    {
        // autograd.grad returns the input's gradient without accumulating it into .grad, so every call does the same work.
        IList<Tensor> grads = autograd.grad([output], _inputs, [_gradOutput]);
        return grads[0].data<float>()[0];
    }
}
