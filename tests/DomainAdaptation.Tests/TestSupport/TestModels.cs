using DomainAdaptation.Methods;
using DomainAdaptation.Methods.Adversarial;
using DomainAdaptation.Models;
using DomainAdaptation.Schedules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.TestSupport;

/// <summary>
/// A small classifier and a domain head for DANN, built from one seed in one draw (features, label head, domain head, in
/// that order, as the DANN-only trainer's model was); converts to its <see cref="AdaptationModel"/>.
/// </summary>
internal sealed class TestNet
{
    public TestNet(AdaptationModel model, nn.Module<Tensor, Tensor> domainHead)
    {
        Model = model;
        DomainHead = domainHead;
    }

    public AdaptationModel Model { get; }

    public nn.Module<Tensor, Tensor> DomainHead { get; }

    public static implicit operator AdaptationModel(TestNet net) => net.Model;

    /// <summary>DANN with this net's domain head.</summary>
    public Dann Dann(ILambdaSchedule? lambda = null, double weight = 1.0, DomainLossKind loss = DomainLossKind.BinaryCrossEntropyWithLogits) => new(DomainHead, lambda, weight, loss);

    public Dictionary<string, Tensor> state_dict() => Model.state_dict();

    public IEnumerable<Parameter> parameters() => Model.parameters();

    public IEnumerable<(string name, Parameter parameter)> named_parameters() => Model.named_parameters();
}

/// <summary>Small models built directly from TorchSharp modules, initialised from a seed.</summary>
internal static class TestModels
{
    /// <summary>Features → Linear(hidden) → activation; label head Linear(classes); domain head Linear(domainOutputs).</summary>
    public static TestNet Mlp(int inputs, int hidden, int classes, long seed, int domainOutputs = 1, string activation = "tanh", bool dropout = false, bool batchNorm = false, ScalarType dtype = ScalarType.Float32)
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
        var model = new AdaptationModel(nn.Sequential(layers), nn.Linear(hidden, classes));
        nn.Module<Tensor, Tensor> head = nn.Linear(hidden, domainOutputs);
        model.to(dtype);
        head.to(dtype);
        return new TestNet(model, head);
    }

    /// <summary>A copy of every state-dict entry (parameters and buffers), for before/after comparisons.</summary>
    public static Dictionary<string, Tensor> Snapshot(nn.Module model) =>
        model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().DetachFromDisposeScope());

    /// <summary>The model's entries and the domain head's (as "domain_head.*").</summary>
    public static Dictionary<string, Tensor> Snapshot(TestNet net)
    {
        Dictionary<string, Tensor> all = Snapshot(net.Model);
        foreach ((string key, Tensor value) in Snapshot(net.DomainHead)) all["domain_head." + key] = value;
        return all;
    }

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

/// <summary>Trainers for tests: DANN with the net's own domain head unless a method is given.</summary>
internal static class TestTrainer
{
    public static DomainAdaptation.Training.AdaptationTrainer Create(
        TestNet net,
        DomainAdaptation.Data.IDomainDataset data,
        DomainAdaptation.Training.AdaptationTrainerOptions options,
        Microsoft.Extensions.Logging.ILogger? logger = null,
        DomainAdaptation.Data.IDomainDataset? evaluationData = null,
        AdaptationMethod? method = null) =>
        new(net.Model, data, method ?? net.Dann(), options, logger, evaluationData);
}
