using DomainAdaptation.Methods;
using DomainAdaptation.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Training;

/// <summary>
/// Everything a trainer trains, as one module: the model under <c>model.*</c> and the method's modules under
/// <c>method.{name}.*</c> (a composite's parts nest: <c>method.dann.domain_classifier.*</c>). One module lets the device
/// and dtype moves, the training/evaluation mode, mixed precision, the weight average and the checkpoint's state
/// treat the model and the method alike.
/// </summary>
internal sealed class TrainingModules : nn.Module
{
#pragma warning disable IDE1006 // Field names are the state-dict keys.
    private readonly AdaptationModel model;
    private readonly ModuleTree method;
#pragma warning restore IDE1006

    public TrainingModules(AdaptationModel model, IReadOnlyList<MethodModule> modules)
        : base(nameof(TrainingModules))
    {
        this.model = model;
        method = new ModuleTree("method");
        foreach (MethodModule m in modules)
        {
            method.Add(m.Name.Split('.'), m.Module);
        }

        RegisterComponents();
    }

    public AdaptationModel Model => model;

    /// <summary>A container of named modules whose names may be paths ("dann.domain_classifier").</summary>
    private sealed class ModuleTree(string name) : nn.Module(name)
    {
        private readonly Dictionary<string, ModuleTree> _children = new(StringComparer.Ordinal);

        public void Add(ReadOnlySpan<string> path, nn.Module module)
        {
            if (path.Length == 1)
            {
                register_module(path[0], module);
                return;
            }

            if (!_children.TryGetValue(path[0], out ModuleTree? child))
            {
                child = new ModuleTree(path[0]);
                _children[path[0]] = child;
                register_module(path[0], child);
            }

            child.Add(path[1..], module);
        }
    }
}
