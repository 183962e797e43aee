using DomainAdaptation.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.TestSupport;

/// <summary>Small DANNs built directly from TorchSharp modules, initialised from a seed.</summary>
internal static class TestModels
{
    /// <summary>Features → Linear(hidden) → activation; label head Linear(classes); domain head Linear(domainOutputs).</summary>
    public static DannModel Mlp(int inputs, int hidden, int classes, long seed, int domainOutputs = 1, string activation = "tanh", bool dropout = false, bool batchNorm = false, ScalarType dtype = ScalarType.Float32)
    {
        random.manual_seed(seed);
        var layers = new List<(string, nn.Module<Tensor, Tensor>)> { ("fc", nn.Linear(inputs, hidden)) };
        if (batchNorm) layers.Add(("bn", nn.BatchNorm1d(hidden)));
        layers.Add(("act", activation switch
        {
            "sigmoid" => nn.Sigmoid(),
            "relu" => nn.ReLU(),
            _ => nn.Tanh(),
        }));
        if (dropout) layers.Add(("drop", nn.Dropout(0.3)));
        var model = new DannModel(nn.Sequential(layers), nn.Linear(hidden, classes), nn.Linear(hidden, domainOutputs));
        model.to(dtype);
        return model;
    }

    /// <summary>A copy of every state-dict entry (parameters and buffers), for before/after comparisons.</summary>
    public static Dictionary<string, Tensor> Snapshot(nn.Module model) =>
        model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().DetachFromDisposeScope());

    /// <summary>True when every entry is bitwise equal (same dtype, shape and bytes).</summary>
    public static bool BitwiseEqual(Dictionary<string, Tensor> a, Dictionary<string, Tensor> b, out string difference)
    {
        difference = "";
        if (!a.Keys.Order().SequenceEqual(b.Keys.Order()))
        {
            difference = "different keys";
            return false;
        }

        foreach ((string key, Tensor x) in a)
        {
            Tensor y = b[key];
            if (x.dtype != y.dtype || !x.shape.SequenceEqual(y.shape) || !x.contiguous().bytes.SequenceEqual(y.contiguous().bytes))
            {
                difference = key;
                return false;
            }
        }

        return true;
    }
}
