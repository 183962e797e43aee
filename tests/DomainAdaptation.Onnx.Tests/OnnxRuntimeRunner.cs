using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace DomainAdaptation.Onnx.Tests;

/// <summary>Runs an exported model in ONNX Runtime (single-threaded: deterministic and polite to the other tests).</summary>
internal sealed class OnnxRuntimeRunner : IDisposable
{
    private readonly InferenceSession _session;

    public OnnxRuntimeRunner(byte[] model)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        _session = new InferenceSession(model, options);
    }

    public InferenceSession Session => _session;

    /// <summary>The single output for a batch <c>[B, …shape]</c> given as flat float32 values.</summary>
    public float[] Run(float[] input, long[] shape)
    {
        var tensor = new DenseTensor<float>(input, shape.Select(d => (int)d).ToArray());
        string inputName = _session.InputMetadata.Keys.Single();
        using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results = _session.Run([NamedOnnxValue.CreateFromTensor(inputName, tensor)]);
        return results.Single().AsEnumerable<float>().ToArray();
    }

    public void Dispose() => _session.Dispose();
}
