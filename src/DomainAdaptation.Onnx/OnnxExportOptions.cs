using DomainAdaptation.Data;
using DomainAdaptation.Data.Batching;

namespace DomainAdaptation.Onnx;

/// <summary>
/// What <see cref="OnnxExporter"/> writes besides the weights: the input shape, whether the graph ends in a softmax, and
/// the metadata a server needs to prepare images and name the classes. Validate with
/// <see cref="OnnxExportOptionsValidator"/> (the exporter does).
/// </summary>
public sealed class OnnxExportOptions
{
    /// <summary>
    /// The shape of one input sample without the batch dimension, e.g. 3×32×32 for MNIST-M; required. The exported
    /// input is <c>[batch, …shape]</c> float32 with a dynamic batch dimension.
    /// </summary>
    public SampleShape? InputShape { get; set; }

    /// <summary>
    /// The class names in class-index order (index i is logit i), written to the metadata; null writes "0", "1", ….
    /// When given, there must be exactly as many as the model has classes.
    /// </summary>
    public IReadOnlyList<string>? ClassNames { get; set; }

    /// <summary>
    /// How the inputs were normalised in training, written to the metadata: the model input is
    /// <c>(pixel / 255 − mean[c]) / std[c]</c> per channel. Null for none (inputs are <c>pixel / 255</c>).
    /// </summary>
    public ChannelNormalisation? Normalisation { get; set; }

    /// <summary>Whether the graph ends in a softmax, giving class probabilities (output <c>probabilities</c>) instead of logits (output <c>logits</c>). Default false.</summary>
    public bool IncludeSoftmax { get; set; }

    /// <summary>The adaptation method that trained the model (e.g. <c>dann+mcc</c>), written to the metadata; null for none.</summary>
    public string? Method { get; set; }

    /// <summary>The training run's id (e.g. its folder name), written to the metadata; null for none.</summary>
    public string? RunId { get; set; }

    /// <summary>The graph's name. Default "DomainAdaptation classifier".</summary>
    public string GraphName { get; set; } = "DomainAdaptation classifier";
}
