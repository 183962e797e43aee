using System.Globalization;
using DomainAdaptation.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DomainAdaptation.Models.Backbones;

/// <summary>
/// MobileNetV2 without its classifier, as a feature extractor (Sandler et al., "MobileNetV2: Inverted Residuals and
/// Linear Bottlenecks", CVPR 2018): <c>features</c> = a 3×3/2 stem → BN → ReLU6, 17 <see cref="InvertedResidual"/>
/// blocks (t, c, n, s) = (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2),
/// (6, 320, 1, 1), a 1×1 convolution to the last width → BN → ReLU6; then global average pool → flatten, giving
/// <c>[B, F]</c> with F = 1280 at width multiplier 1.
/// </summary>
/// <remarks>
/// <para>
/// Layout and state-dict keys are torchvision's (<c>torchvision.models.mobilenet_v2</c>: <c>features.0.0.weight</c> …
/// <c>features.18.1.running_var</c>), minus <c>classifier.*</c>, so that a torchvision checkpoint loads key for key
/// (DomainAdaptation.PyTorch). Channel counts are torchvision's: <c>c · α</c> rounded to a multiple of 8 (never below 8,
/// never more than 10 % under); the last width is <c>1280 · max(1, α)</c> so rounded. Weights are initialised as
/// torchvision does: Kaiming-normal convolutions (fan-out), batch norm 1 and 0. 2,223,872 parameters at α = 1.
/// </para>
/// <para>Input: images <c>[B, 3, H, W]</c>, H, W ≥ 32 (224 for ImageNet weights).</para>
/// </remarks>
public sealed class MobileNetV2 : nn.Module<Tensor, Tensor>
{
    /// <summary>torchvision's inverted residual setting: expansion t, channels c, repeats n, first stride s.</summary>
    private static readonly (int T, int C, int N, int S)[] Setting = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)];

#pragma warning disable IDE1006 // Field names are the state-dict keys.
    private readonly Sequential features;
    private readonly AdaptiveAvgPool2d avgpool;
    private readonly Flatten flatten;
#pragma warning restore IDE1006
    private readonly (string, nn.Module<Tensor, Tensor>)[] _layers;

    /// <summary>Creates a MobileNetV2 feature extractor with freshly initialised weights (from torch's global generator).</summary>
    /// <param name="inChannels">Input channels (3 for RGB and ImageNet weights).</param>
    /// <param name="widthMultiplier">α, torchvision's <c>width_mult</c> (1 for ImageNet weights).</param>
    /// <param name="lastChannels">
    /// The width of the last 1×1 convolution, i.e. the feature count F; null for torchvision's <c>1280 · max(1, α)</c>
    /// rounded to 8. Only torchvision's value loads its checkpoints; smaller is for tests and tiny data.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">When a count or the multiplier is not positive.</exception>
    public MobileNetV2(int inChannels = 3, double widthMultiplier = 1.0, int? lastChannels = null)
        : base(nameof(MobileNetV2))
    {
        if (inChannels <= 0) throw new ArgumentOutOfRangeException(nameof(inChannels), inChannels, "The input channel count must be positive.");
        if (!(widthMultiplier > 0) || !double.IsFinite(widthMultiplier)) throw new ArgumentOutOfRangeException(nameof(widthMultiplier), widthMultiplier, "The width multiplier must be positive and finite.");
        if (lastChannels is <= 0) throw new ArgumentOutOfRangeException(nameof(lastChannels), lastChannels, "The last width must be positive.");
        TorchRuntime.EnsureInitialized();
        WidthMultiplier = widthMultiplier;
        long channels = MakeDivisible(32 * widthMultiplier);
        long last = lastChannels ?? MakeDivisible(1280 * Math.Max(1.0, widthMultiplier));
        var layers = new List<(string, nn.Module<Tensor, Tensor>)> { ("0", InvertedResidual.ConvBnReLU6(inChannels, channels, 3, 2, 1)) };
        foreach ((int t, int c, int n, int s) in Setting)
        {
            long output = MakeDivisible(c * widthMultiplier);
            for (int i = 0; i < n; i++)
            {
                layers.Add((layers.Count.ToString(CultureInfo.InvariantCulture), new InvertedResidual(channels, output, i == 0 ? s : 1, t)));
                channels = output;
            }
        }

        layers.Add((layers.Count.ToString(CultureInfo.InvariantCulture), InvertedResidual.ConvBnReLU6(channels, last, 1, 1, 1)));
        features = nn.Sequential(layers);
        avgpool = nn.AdaptiveAvgPool2d([1, 1]);
        flatten = nn.Flatten();
        Features = last;
        _layers = [("features", features), ("avgpool", avgpool), ("flatten", flatten)];
        RegisterComponents();
        BackboneLayers.InitializeAsTorchvision(this);
    }

    /// <summary>The width multiplier α.</summary>
    public double WidthMultiplier { get; }

    /// <summary>The feature count F of the output <c>[B, F]</c>.</summary>
    public long Features { get; }

    /// <summary>The layers in forward order, with their state-dict names (for exporters).</summary>
    public IReadOnlyList<(string Name, nn.Module<Tensor, Tensor> Module)> Layers => _layers;

    /// <summary>Computes the pooled features.</summary>
    /// <param name="input">Images <c>[B, C, H, W]</c>.</param>
    /// <returns>Features <c>[B, F]</c>.</returns>
    public override Tensor forward(Tensor input) => BackboneLayers.Forward(_layers, input);

    /// <summary>torchvision's <c>_make_divisible(v, 8)</c>: the nearest multiple of 8, at least 8, not more than 10 % below v.</summary>
    internal static long MakeDivisible(double value, int divisor = 8)
    {
        long rounded = Math.Max(divisor, (long)(value + divisor / 2.0) / divisor * divisor);
        return rounded < 0.9 * value ? rounded + divisor : rounded;
    }
}
