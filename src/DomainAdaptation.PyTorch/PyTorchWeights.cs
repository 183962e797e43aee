using System.Collections;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace DomainAdaptation.PyTorch;

/// <summary>What <see cref="PyTorchWeights.Load"/> did.</summary>
/// <param name="Path">The weights file.</param>
/// <param name="Loaded">The module keys given values from the file.</param>
/// <param name="Ignored">The file keys ignored (<see cref="PyTorchWeightsOptions.IgnoredPrefixes"/>).</param>
/// <param name="Missing">Module keys the file lacked (only with <see cref="PyTorchWeightsOptions.AllowMissing"/>).</param>
public sealed record PyTorchWeightsResult(string Path, IReadOnlyList<string> Loaded, IReadOnlyList<string> Ignored, IReadOnlyList<string> Missing);

/// <summary>
/// Loads PyTorch weights — a <c>torch.save(model.state_dict())</c> file (<c>.pth</c>, <c>.pt</c>, <c>.bin</c>) or a
/// <c>.safetensors</c> file — into a TorchSharp module by state-dict key, e.g. torchvision's ImageNet ResNet weights into
/// <c>DomainAdaptation.Models.Backbones.ResNet</c>, whose keys are torchvision's.
/// </summary>
/// <remarks>
/// The file is read by TorchSharp.PyBridge; the matching is ours: every module key must get a value of the same shape
/// (values are converted to the module's dtype and device), and every file key must be used or ignored. Anything else
/// is one <see cref="PyTorchWeightsException"/> listing all the missing, unexpected and mis-shaped keys. Nothing is
/// written into the module unless everything fits.
/// </remarks>
public static class PyTorchWeights
{
    private const int ListedKeys = 12;

    /// <summary>Loads the weights in <paramref name="path"/> into <paramref name="module"/>.</summary>
    /// <param name="module">The module (its parameters and buffers are overwritten in place).</param>
    /// <param name="path">A <c>.pth</c>/<c>.pt</c>/<c>.bin</c> (torch.save) or <c>.safetensors</c> file.</param>
    /// <param name="options">Key mapping; null for exact keys.</param>
    /// <returns>What was loaded and ignored.</returns>
    /// <exception cref="FileNotFoundException">When the file does not exist.</exception>
    /// <exception cref="InvalidDataException">When it cannot be read as a state dict.</exception>
    /// <exception cref="PyTorchWeightsException">When it does not fit the module (every missing, unexpected and mis-shaped key listed).</exception>
    public static PyTorchWeightsResult Load(nn.Module module, string path, PyTorchWeightsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options ??= new PyTorchWeightsOptions();
        string full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"The weights file '{full}' does not exist.", full);

        using var scope = NewDisposeScope();
        Dictionary<string, Tensor> file = Read(full);
        var state = module.state_dict();
        var mapped = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var ignored = new List<string>();
        foreach ((string key, Tensor value) in file)
        {
            string name = key;
            if (options.StripPrefix is { Length: > 0 } strip && name.StartsWith(strip, StringComparison.Ordinal)) name = name[strip.Length..];
            if (options.AddPrefix is { Length: > 0 } add) name = add + name;
            if (options.IgnoredPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal))) ignored.Add(key);
            else mapped[name] = value;
        }

        var missing = state.Keys.Where(k => !mapped.ContainsKey(k)).ToList();
        var unexpected = mapped.Keys.Where(k => !state.ContainsKey(k)).ToList();
        // Listed in the module's order (unexpected and ignored keys by name): the same file gives the same message.
        unexpected.Sort(StringComparer.Ordinal);
        ignored.Sort(StringComparer.Ordinal);
        var misShaped = state.Keys.Where(k => mapped.TryGetValue(k, out Tensor? v) && !v.shape.SequenceEqual(state[k].shape))
            .Select(k => (k, mapped[k].shape, state[k].shape)).ToList();
        if (unexpected.Count > 0 || misShaped.Count > 0 || (missing.Count > 0 && !options.AllowMissing))
        {
            throw new PyTorchWeightsException(Describe(full, module, state.Count, mapped.Count, missing, unexpected, misShaped, options), full,
                options.AllowMissing ? [] : missing, unexpected, misShaped);
        }

        using (no_grad())
        {
            foreach ((string key, Tensor value) in mapped) state[key].copy_(value);
        }

        return new PyTorchWeightsResult(full, mapped.Keys.ToList(), ignored, missing);
    }

    private static Dictionary<string, Tensor> Read(string path)
    {
        try
        {
            if (path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)) return Safetensors.LoadStateDict(path);
            Hashtable table = PyTorchUnpickler.UnpickleStateDict(path);
            var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (DictionaryEntry entry in table)
            {
                if (entry.Key is not string key || entry.Value is not Tensor tensor)
                {
                    throw new InvalidDataException($"'{path}' holds an entry that is not a named tensor ({entry.Key} → {entry.Value?.GetType().Name ?? "null"}): save the state dict (torch.save(model.state_dict(), …)), not the model or a training checkpoint.");
                }

                result[key] = tensor;
            }

            return result;
        }
        catch (Exception ex) when (ex is not InvalidDataException and not FileNotFoundException and not OutOfMemoryException)
        {
            throw new InvalidDataException($"'{path}' cannot be read as a PyTorch state dict (torch.save of a state_dict, or .safetensors): {ex.Message}", ex);
        }
    }

    private static string Describe(string path, nn.Module module, int moduleKeys, int fileKeys, List<string> missing, List<string> unexpected,
        List<(string Key, long[] FileShape, long[] ModuleShape)> misShaped, PyTorchWeightsOptions options)
    {
        static string Shape(long[] s) => "[" + string.Join(", ", s) + "]";
        static string List(IEnumerable<string> keys, int count) =>
            string.Join(", ", keys.Take(ListedKeys)) + (count > ListedKeys ? $", … ({count - ListedKeys} more)" : "");
        var parts = new List<string>();
        if (missing.Count > 0 && !options.AllowMissing) parts.Add($"{missing.Count} missing (in the module, not in the file): {List(missing, missing.Count)}");
        if (unexpected.Count > 0) parts.Add($"{unexpected.Count} unexpected (in the file, not in the module): {List(unexpected, unexpected.Count)}");
        if (misShaped.Count > 0) parts.Add($"{misShaped.Count} of another shape: {List(misShaped.Select(m => $"{m.Key} file {Shape(m.FileShape)} vs module {Shape(m.ModuleShape)}"), misShaped.Count)}");
        return $"The weights in '{path}' ({fileKeys} keys after mapping) do not fit the module {module.GetName()} ({moduleKeys} keys): {string.Join("; ", parts)}. " +
               "Another architecture or width, or keys under a prefix? PyTorchWeightsOptions maps prefixes (StripPrefix, AddPrefix) and ignores keys (IgnoredPrefixes; TorchvisionBackbone ignores fc.* and classifier.*). Nothing was loaded.";
    }
}
