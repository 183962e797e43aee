using static TorchSharp.torch;

namespace DomainAdaptation.Training.Checkpoints;

/// <summary>
/// Checks and copies for state dictionaries (a module's <c>state_dict()</c>, a checkpoint's model section, a weight
/// average): the same names and shapes on both sides, then an in-place copy.
/// </summary>
internal static class StateEntries
{
    /// <summary>Null when both sides have the same names; otherwise "missing from A [...], not in B [...]".</summary>
    public static string? KeyMismatch(IReadOnlyDictionary<string, Tensor> a, string aName, IReadOnlyDictionary<string, Tensor> b, string bName)
    {
        string[] missing = b.Keys.Where(k => !a.ContainsKey(k)).Order(StringComparer.Ordinal).ToArray();
        string[] unexpected = a.Keys.Where(k => !b.ContainsKey(k)).Order(StringComparer.Ordinal).ToArray();
        return missing.Length == 0 && unexpected.Length == 0
            ? null
            : $"missing from {aName} [{string.Join(", ", missing)}], not in {bName} [{string.Join(", ", unexpected)}]";
    }

    /// <summary>Null when every name of <paramref name="a"/> has the same shape in <paramref name="b"/>; otherwise the first difference.</summary>
    public static string? ShapeMismatch(IReadOnlyDictionary<string, Tensor> a, string aName, IReadOnlyDictionary<string, Tensor> b, string bName)
    {
        foreach ((string key, Tensor x) in a)
        {
            Tensor y = b[key];
            if (!x.shape.SequenceEqual(y.shape))
            {
                return $"'{key}' has shape [{string.Join(", ", x.shape)}] in {aName} but [{string.Join(", ", y.shape)}] in {bName}.";
            }
        }

        return null;
    }

    /// <summary>Copies every entry of <paramref name="source"/> into the same-named entry of <paramref name="target"/> (checked beforehand).</summary>
    public static void Copy(IReadOnlyDictionary<string, Tensor> source, IReadOnlyDictionary<string, Tensor> target)
    {
        using var noGrad = no_grad();
        foreach ((string key, Tensor destination) in target)
        {
            destination.copy_(source[key]);
        }
    }
}
