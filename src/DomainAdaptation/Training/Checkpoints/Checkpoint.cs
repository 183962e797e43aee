using DomainAdaptation.Data.Batching;
using DomainAdaptation.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Training.Checkpoints;

/// <summary>
/// Reading checkpoints written by <see cref="AdaptationTrainer"/>: find the newest intact one in a folder, read its header,
/// or load only the model weights (for evaluation and export). To continue training, use <see cref="AdaptationTrainer.Resume"/>.
/// </summary>
public static class Checkpoint
{
    /// <summary>
    /// The newest intact checkpoint in <paramref name="directory"/>: checkpoints are tried newest first, and one whose
    /// hash does not match its contents (truncated, corrupted) is skipped; <see cref="Scan"/> says which and why.
    /// </summary>
    /// <param name="directory">The checkpoint folder.</param>
    /// <returns>The file's path, or null when the folder holds no intact checkpoint.</returns>
    public static string? FindLatest(string directory) => Scan(directory).Latest;

    /// <summary>
    /// What a checkpoint folder holds: the newest intact checkpoint, the damaged ones newer than it (with the reason
    /// each was skipped), and the number of checkpoint files. A missing folder holds none.
    /// </summary>
    /// <param name="directory">The checkpoint folder.</param>
    /// <returns>The scan.</returns>
    public static CheckpointScan Scan(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        IReadOnlyList<(long Step, string Path)> files = CheckpointStore.List(directory);
        var skipped = new List<DamagedCheckpoint>();
        foreach ((long step, string path) in files)
        {
            try
            {
                CheckpointFormat.Verify(path);
                return new CheckpointScan(directory, path, skipped, files.Count);
            }
            catch (CheckpointException e)
            {
                // Damaged: fall back to the previous one, and say so.
                string reason = e.Message.StartsWith($"Checkpoint '{path}': ", StringComparison.Ordinal) ? e.Message[($"Checkpoint '{path}': ").Length..] : e.Message;
                skipped.Add(new DamagedCheckpoint(path, step, reason));
            }
        }

        return new CheckpointScan(directory, null, skipped, files.Count);
    }

    /// <summary>Reads a checkpoint's header after verifying the whole file.</summary>
    /// <param name="path">The checkpoint file.</param>
    /// <returns>Its step, options and other metadata.</returns>
    /// <exception cref="CheckpointException">When the file is missing, damaged or not a checkpoint.</exception>
    public static CheckpointInfo ReadInfo(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return ToInfo(path, CheckpointFormat.ReadMetadata(path));
    }

    /// <summary>
    /// Loads the weights (parameters and buffers) of the model a checkpoint's run trained — or of the model its method
    /// evaluates instead (a mean teacher) — into <paramref name="model"/>, converting to the model's dtype and device.
    /// Every entry must match by name and shape.
    /// </summary>
    /// <param name="path">The checkpoint file, or a folder (its newest intact checkpoint is used).</param>
    /// <param name="model">A model with the architecture that was trained.</param>
    /// <param name="weights">
    /// Which weights: by default those the trainer evaluated (the inference model's, and the weight average when the run
    /// kept one).
    /// </param>
    /// <returns>The checkpoint's metadata.</returns>
    /// <exception cref="CheckpointException">When the file is damaged, its entries do not match the model, or <see cref="CheckpointWeights.Averaged"/> is asked of a checkpoint without a weight average.</exception>
    public static CheckpointInfo LoadModel(string path, AdaptationModel model, CheckpointWeights weights = CheckpointWeights.Evaluated)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(model);
        if (!Enum.IsDefined(weights)) throw new ArgumentOutOfRangeException(nameof(weights), weights, "Use a CheckpointWeights value.");
        string file = Resolve(path);
        using CheckpointFormat.Contents contents = CheckpointFormat.Read(file);
        CheckpointInfo info = ToInfo(file, contents.Metadata);
        if (weights == CheckpointWeights.Averaged && !info.HasWeightAverage)
        {
            throw new CheckpointException(file, "it holds no weight average (the run had AdaptationTrainerOptions.WeightAverageDecay = 0); load CheckpointWeights.Trained or Evaluated.");
        }

        string prefix = weights == CheckpointWeights.Trained || info.InferenceModule is null ? ModelPrefix : MethodPrefix + info.InferenceModule + ".";
        IReadOnlyDictionary<string, Tensor> section = info.WeightsFor(weights) == CheckpointWeights.Averaged ? contents.Average : contents.Modules;
        LoadState(model, Under(section, prefix), file);
        return info;
    }

    /// <summary>The key prefix of the trained model's entries in a checkpoint.</summary>
    internal const string ModelPrefix = "model.";

    /// <summary>The key prefix of the method modules' entries in a checkpoint.</summary>
    internal const string MethodPrefix = "method.";

    /// <summary>The entries under <paramref name="prefix"/>, with the prefix removed.</summary>
    internal static Dictionary<string, Tensor> Under(IReadOnlyDictionary<string, Tensor> entries, string prefix) =>
        entries.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value, StringComparer.Ordinal);

    internal static string Resolve(string path)
    {
        if (!System.IO.Directory.Exists(path))
        {
            if (File.Exists(path)) return path;
            throw new CheckpointException(path, path.EndsWith(CheckpointStore.Extension, StringComparison.Ordinal)
                ? "the file does not exist."
                : "no such file or folder: the run wrote no checkpoint yet (it stopped before its first one), or the path is wrong.");
        }

        CheckpointScan scan = Scan(path);
        return scan.Latest ?? throw new CheckpointException(path, scan.Count == 0
            ? "the folder holds no checkpoint (checkpoint-*.dann): the run stopped before its first one."
            : $"the folder holds {scan.Count} checkpoint file(s), but none is intact ({scan.Skipped[0].Path}: {scan.Skipped[0].Reason}).");
    }

    internal static CheckpointInfo ToInfo(string path, CheckpointFormat.Metadata m) =>
        new(
            path,
            m.Step,
            m.TotalSteps,
            m.Seed,
            m.Method,
            m.MethodSettings.ToJsonString(OptionsJson.Serializer),
            m.InferenceModule,
            m.Optimizer,
            m.CreatedUtc,
            m.NormalisationMean is null || m.NormalisationStd is null ? null : new ChannelNormalisation(m.NormalisationMean, m.NormalisationStd),
            m.Options.ToJsonString(OptionsJson.Serializer),
            m.WeightAverageUpdates);

    internal static void LoadState(nn.Module model, IReadOnlyDictionary<string, Tensor> stored, string path)
    {
        Dictionary<string, Tensor> state = model.state_dict();
        if (StateEntries.KeyMismatch(stored, "the checkpoint", state, "the model") is { } keys)
        {
            throw new CheckpointException(path, $"its model entries do not match the model: {keys}. Load it into the architecture that was trained.");
        }

        if (StateEntries.ShapeMismatch(stored, "the checkpoint", state, "the model") is { } shape)
        {
            throw new CheckpointException(path, shape);
        }

        StateEntries.Copy(stored, state);
    }
}
