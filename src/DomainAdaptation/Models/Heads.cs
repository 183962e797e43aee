using System.Globalization;
using DomainAdaptation.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DomainAdaptation.Models;

/// <summary>Factory methods for classifier heads (label or domain classifiers) that plug into an <see cref="AdaptationModelBuilder"/>.</summary>
public static class Heads
{
    /// <summary>
    /// A multilayer perceptron <c>[B, inFeatures] → [B, outFeatures]</c>. Each hidden layer i (1-based) is
    /// <c>fc{i}</c> (Linear) → <c>bn{i}</c> (BatchNorm1d, if <paramref name="batchNorm"/>) → activation → <c>drop{i}</c>
    /// (Dropout, if <paramref name="dropout"/> &gt; 0); the last layer <c>fc{n+1}</c> is linear and gives logits.
    /// </summary>
    /// <remarks>
    /// The layer names are the state-dict keys under the head (for example <c>label_classifier.fc1.weight</c>).
    /// Weights use TorchSharp's (PyTorch's) default initialisation, drawn from torch's global generator.
    /// </remarks>
    /// <param name="inFeatures">The input size F; positive.</param>
    /// <param name="hidden">The hidden layer sizes, outermost first; may be empty (a single linear layer); each positive.</param>
    /// <param name="outFeatures">The number of logits; positive.</param>
    /// <param name="dropout">The dropout probability after each hidden layer, in [0, 1); 0 for none.</param>
    /// <param name="batchNorm">Whether each hidden linear layer is followed by batch normalisation.</param>
    /// <param name="activation">The non-linearity after each hidden layer.</param>
    /// <returns>The head, in training mode.</returns>
    /// <exception cref="ArgumentOutOfRangeException">When a size is not positive or <paramref name="dropout"/> is outside [0, 1).</exception>
    public static Sequential Mlp(
        long inFeatures,
        IReadOnlyList<long> hidden,
        long outFeatures,
        double dropout = 0.0,
        bool batchNorm = false,
        HiddenActivation activation = HiddenActivation.Relu)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        CheckPositive(inFeatures, nameof(inFeatures));
        CheckPositive(outFeatures, nameof(outFeatures));
        for (int i = 0; i < hidden.Count; i++)
        {
            if (hidden[i] <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(hidden), hidden[i], string.Create(CultureInfo.InvariantCulture, $"Hidden layer {i + 1} of an MLP head must have a positive size, but was {hidden[i]}."));
            }
        }

        if (!(dropout >= 0.0 && dropout < 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "The dropout probability must be in [0, 1).");
        }

        TorchRuntime.EnsureInitialized();
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        long previous = inFeatures;
        for (int i = 0; i < hidden.Count; i++)
        {
            string n = (i + 1).ToString(CultureInfo.InvariantCulture);
            layers.Add(("fc" + n, nn.Linear(previous, hidden[i])));
            if (batchNorm) layers.Add(("bn" + n, nn.BatchNorm1d(hidden[i])));
            layers.Add(Activation(activation, n));
            if (dropout > 0.0) layers.Add(("drop" + n, nn.Dropout(dropout)));
            previous = hidden[i];
        }

        layers.Add(("fc" + (hidden.Count + 1).ToString(CultureInfo.InvariantCulture), nn.Linear(previous, outFeatures)));
        return nn.Sequential(layers);
    }

    /// <summary>
    /// A bottleneck between a backbone and the heads, as Transfer-Learning-Library's <c>ImageClassifier</c> has:
    /// <c>fc1</c> (Linear inFeatures→width) → <c>bn1</c> (BatchNorm1d) → <c>relu1</c> → <c>drop1</c> (Dropout p).
    /// </summary>
    /// <param name="inFeatures">The backbone's feature count F₀; positive.</param>
    /// <param name="width">The bottleneck width F (tllib: 256); positive.</param>
    /// <param name="dropout">The dropout probability after it (tllib: 0.5), in [0, 1); 0 for none.</param>
    /// <returns>The bottleneck, in training mode.</returns>
    public static Sequential Bottleneck(long inFeatures, long width = 256, double dropout = 0.5)
    {
        CheckPositive(inFeatures, nameof(inFeatures));
        CheckPositive(width, nameof(width));
        if (!(dropout >= 0.0 && dropout < 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "The dropout probability must be in [0, 1).");
        }

        TorchRuntime.EnsureInitialized();
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>
        {
            ("fc1", nn.Linear(inFeatures, width)),
            ("bn1", nn.BatchNorm1d(width)),
            ("relu1", nn.ReLU()),
        };
        if (dropout > 0.0) layers.Add(("drop1", nn.Dropout(dropout)));
        return nn.Sequential(layers);
    }

    /// <summary>A single linear layer <c>fc1</c>: <c>[B, inFeatures] → [B, outFeatures]</c> (logistic or softmax regression on the features).</summary>
    /// <param name="inFeatures">The input size F; positive.</param>
    /// <param name="outFeatures">The number of logits; positive.</param>
    /// <returns>The head.</returns>
    public static Sequential Linear(long inFeatures, long outFeatures) => Mlp(inFeatures, [], outFeatures);

    internal static (string Name, nn.Module<Tensor, Tensor> Module) Activation(HiddenActivation activation, string suffix) => activation switch
    {
        HiddenActivation.Relu => ("relu" + suffix, nn.ReLU()),
        HiddenActivation.Sigmoid => ("sigmoid" + suffix, nn.Sigmoid()),
        HiddenActivation.Tanh => ("tanh" + suffix, nn.Tanh()),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation."),
    };

    private static void CheckPositive(long value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive.");
        }
    }
}
