using System.Globalization;

namespace DomainAdaptation.Onnx;

/// <summary>Whether an exported graph gives logits or probabilities.</summary>
public enum OnnxOutputKind
{
    /// <summary>Class logits (output name <c>logits</c>).</summary>
    Logits,

    /// <summary>Class probabilities, a softmax over the logits (output name <c>probabilities</c>).</summary>
    Probabilities,
}

/// <summary>
/// What an exported model says about itself in its ONNX metadata (<c>metadata_props</c>, keys <c>domainadaptation.*</c>):
/// how to prepare an input and how to read the output. <see cref="FromProperties"/> reads it back from the map ONNX
/// Runtime gives (<c>InferenceSession.ModelMetadata.CustomMetadataMap</c>); this type needs neither TorchSharp nor ONNX
/// Runtime.
/// </summary>
/// <param name="InputShape">One sample's shape without the batch dimension, e.g. [3, 32, 32].</param>
/// <param name="ClassNames">The class names, index i for output i.</param>
/// <param name="Mean">Per-channel mean of the normalisation (pixel / 255 scale), or null for none.</param>
/// <param name="Std">Per-channel standard deviation of the normalisation, or null for none.</param>
/// <param name="Output">Logits or probabilities.</param>
/// <param name="Method">The adaptation method that trained the model, or null.</param>
/// <param name="RunId">The training run's id, or null.</param>
public sealed record OnnxModelMetadata(
    IReadOnlyList<long> InputShape,
    IReadOnlyList<string> ClassNames,
    IReadOnlyList<double>? Mean,
    IReadOnlyList<double>? Std,
    OnnxOutputKind Output,
    string? Method,
    string? RunId)
{
    /// <summary>The metadata format written by this version.</summary>
    public const string FormatVersion = "1";

    /// <summary>The key prefix of every entry.</summary>
    public const string Prefix = "domainadaptation.";

    /// <summary>Key: the metadata format version.</summary>
    public const string FormatKey = Prefix + "format";

    /// <summary>Key: the input shape without batch, comma-separated (e.g. <c>3,32,32</c>).</summary>
    public const string InputShapeKey = Prefix + "input_shape";

    /// <summary>Key: the class names, one per line.</summary>
    public const string ClassNamesKey = Prefix + "class_names";

    /// <summary>Key: the normalisation means, comma-separated (absent for none).</summary>
    public const string MeanKey = Prefix + "normalisation_mean";

    /// <summary>Key: the normalisation standard deviations, comma-separated (absent for none).</summary>
    public const string StdKey = Prefix + "normalisation_std";

    /// <summary>Key: <c>logits</c> or <c>probabilities</c>.</summary>
    public const string OutputKey = Prefix + "output";

    /// <summary>Key: the method.</summary>
    public const string MethodKey = Prefix + "method";

    /// <summary>Key: the run id.</summary>
    public const string RunIdKey = Prefix + "run_id";

    /// <summary>The name of the graph's input.</summary>
    public const string InputName = "input";

    /// <summary>The name of the graph's output.</summary>
    public string OutputName => Output == OnnxOutputKind.Probabilities ? "probabilities" : "logits";

    /// <summary>Prepares one image for the model: <c>(pixel / 255 − mean[c]) / std[c]</c>.</summary>
    /// <param name="pixels">Channel-major pixels <c>[C, H, W]</c>, 0–255, exactly <see cref="InputShape"/>'s size.</param>
    /// <param name="destination">Receives the model input, same length.</param>
    /// <exception cref="ArgumentException">When the lengths disagree with the input shape.</exception>
    public void Normalise(ReadOnlySpan<byte> pixels, Span<float> destination)
    {
        long size = InputShape.Aggregate(1L, (a, b) => a * b);
        if (pixels.Length != size || destination.Length != size)
        {
            throw new ArgumentException($"An input holds {size} values ({string.Join("×", InputShape)}), but {pixels.Length} pixels and {destination.Length} outputs were given.", nameof(pixels));
        }

        int channels = InputShape.Count == 3 ? (int)InputShape[0] : 1;
        int plane = (int)(size / channels);
        for (int c = 0; c < channels; c++)
        {
            double mean = Mean?[c] ?? 0.0, std = Std?[c] ?? 1.0;
            for (int i = c * plane, end = i + plane; i < end; i++) destination[i] = (float)((pixels[i] / 255.0 - mean) / std);
        }
    }

    /// <summary>The entries to write into the model's <c>metadata_props</c>.</summary>
    /// <returns>Key/value pairs, in a fixed order.</returns>
    public IReadOnlyList<KeyValuePair<string, string>> ToProperties()
    {
        var entries = new List<KeyValuePair<string, string>>
        {
            new(FormatKey, FormatVersion),
            new(InputShapeKey, string.Join(",", InputShape.Select(d => d.ToString(CultureInfo.InvariantCulture)))),
            new(ClassNamesKey, string.Join("\n", ClassNames)),
            new(OutputKey, Output == OnnxOutputKind.Probabilities ? "probabilities" : "logits"),
        };
        if (Mean is not null) entries.Add(new(MeanKey, Join(Mean)));
        if (Std is not null) entries.Add(new(StdKey, Join(Std)));
        if (Method is not null) entries.Add(new(MethodKey, Method));
        if (RunId is not null) entries.Add(new(RunIdKey, RunId));
        return entries;
    }

    /// <summary>Reads the metadata back from a model's properties.</summary>
    /// <param name="properties">The model's metadata map.</param>
    /// <param name="source">The model file, for the error messages.</param>
    /// <returns>The metadata.</returns>
    /// <exception cref="InvalidDataException">When an entry is missing or malformed; the message names the file, the key and what was expected.</exception>
    public static OnnxModelMetadata FromProperties(IReadOnlyDictionary<string, string> properties, string source)
    {
        ArgumentNullException.ThrowIfNull(properties);
        string Required(string key) => properties.TryGetValue(key, out string? value)
            ? value
            : throw new InvalidDataException($"'{source}' has no metadata entry '{key}': it was not exported by DomainAdaptation.Onnx (or the entry was removed). Export it with OnnxExporter or the sample's export command.");

        string format = Required(FormatKey);
        if (format != FormatVersion) throw new InvalidDataException($"'{source}': metadata '{FormatKey}' is '{format}', but this version reads format {FormatVersion}.");
        long[] shape = Numbers(Required(InputShapeKey), InputShapeKey, source).Select(v => (long)v).ToArray();
        if (shape.Length is < 1 or > 3 || shape.Any(d => d < 1)) throw new InvalidDataException($"'{source}': metadata '{InputShapeKey}' must be 1–3 positive sizes (e.g. 3,32,32), but was '{properties[InputShapeKey]}'.");
        string[] classes = Required(ClassNamesKey).Split('\n');
        OnnxOutputKind output = Required(OutputKey) switch
        {
            "logits" => OnnxOutputKind.Logits,
            "probabilities" => OnnxOutputKind.Probabilities,
            string other => throw new InvalidDataException($"'{source}': metadata '{OutputKey}' must be 'logits' or 'probabilities', but was '{other}'."),
        };
        double[]? mean = properties.TryGetValue(MeanKey, out string? m) ? Numbers(m, MeanKey, source) : null;
        double[]? std = properties.TryGetValue(StdKey, out string? s) ? Numbers(s, StdKey, source) : null;
        int channels = shape.Length == 3 ? (int)shape[0] : 1;
        foreach ((double[]? values, string key) in new[] { (mean, MeanKey), (std, StdKey) })
        {
            if (values is not null && values.Length != channels) throw new InvalidDataException($"'{source}': metadata '{key}' has {values.Length} values, but the input has {channels} channel(s).");
        }

        if (std is not null && std.Any(v => !(v > 0))) throw new InvalidDataException($"'{source}': metadata '{StdKey}' must be positive, but was '{properties[StdKey]}'.");
        return new OnnxModelMetadata(shape, classes, mean, std, output,
            properties.TryGetValue(MethodKey, out string? method) ? method : null,
            properties.TryGetValue(RunIdKey, out string? run) ? run : null);
    }

    private static string Join(IEnumerable<double> values) => string.Join(",", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));

    private static double[] Numbers(string text, string key, string source)
    {
        string[] parts = text.Split(',');
        var values = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !double.IsFinite(values[i]))
            {
                throw new InvalidDataException($"'{source}': metadata '{key}' must be comma-separated numbers, but part {i + 1} is '{parts[i]}'.");
            }
        }

        return values;
    }
}
