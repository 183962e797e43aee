using DomainAdaptation.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DomainAdaptation.Models.Backbones;

/// <summary>The ResNet depths of torchvision (He et al., "Deep Residual Learning for Image Recognition", CVPR 2016).</summary>
public enum ResNetDepth
{
    /// <summary>ResNet-18: basic blocks [2, 2, 2, 2]; 512 features.</summary>
    ResNet18,

    /// <summary>ResNet-34: basic blocks [3, 4, 6, 3]; 512 features.</summary>
    ResNet34,

    /// <summary>ResNet-50: bottleneck blocks [3, 4, 6, 3]; 2048 features.</summary>
    ResNet50,
}

/// <summary>
/// A ResNet without its classifier, as a feature extractor: <c>conv1</c> 7×7/2 → <c>bn1</c> → ReLU → max-pool 3×3/2 →
/// <c>layer1</c>…<c>layer4</c> → global average pool → flatten, giving <c>[B, F]</c> with F = 8 · width · expansion
/// (512 for ResNet-18/34, 2048 for ResNet-50 at width 64).
/// </summary>
/// <remarks>
/// <para>
/// Layout and state-dict keys are torchvision's (<c>torchvision.models.resnet18/34/50</c>, v1.5: the stride on the
/// bottleneck's 3×3), minus <c>fc.*</c>, so that a torchvision checkpoint loads key for key (DomainAdaptation.PyTorch).
/// Weights are initialised as torchvision does: Kaiming-normal convolutions (fan-out, ReLU), batch norm 1 and 0.
/// </para>
/// <para>Input: images <c>[B, 3, H, W]</c>, H, W ≥ 32 (224 for ImageNet weights; 32×32 works, with 1×1 maps in layer4).</para>
/// </remarks>
public sealed class ResNet : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // Field names are the state-dict keys.
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly ReLU relu;
    private readonly MaxPool2d maxpool;
    private readonly Sequential layer1;
    private readonly Sequential layer2;
    private readonly Sequential layer3;
    private readonly Sequential layer4;
    private readonly AdaptiveAvgPool2d avgpool;
    private readonly Flatten flatten;
#pragma warning restore IDE1006
    private readonly (string, nn.Module<Tensor, Tensor>)[] _layers;

    /// <summary>Creates a ResNet feature extractor with freshly initialised weights (from torch's global generator).</summary>
    /// <param name="depth">ResNet-18, -34 or -50.</param>
    /// <param name="inChannels">Input channels (3 for RGB and ImageNet weights).</param>
    /// <param name="width">
    /// The channels of <c>conv1</c> and <c>layer1</c> (torchvision: 64); smaller for tests and tiny data. Train with 16 or
    /// more: libtorch 2.10's CPU convolution backward leaves part of its result unwritten for convolutions with 1–3
    /// input channels and fewer than 16 output channels, so narrower stems get NaN gradients now and then (at width 4,
    /// about one fresh ResNet-18 in 300). Forward passes (export, weight loading) are unaffected.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">When a count is not positive.</exception>
    public ResNet(ResNetDepth depth, int inChannels = 3, int width = 64)
        : base(depth.ToString())
    {
        if (inChannels <= 0) throw new ArgumentOutOfRangeException(nameof(inChannels), inChannels, "The input channel count must be positive.");
        if (width <= 0) throw new ArgumentOutOfRangeException(nameof(width), width, "The width must be positive.");
        TorchRuntime.EnsureInitialized();
        Depth = depth;
        (bool bottleneck, int[] blocks) = depth switch
        {
            ResNetDepth.ResNet18 => (false, new[] { 2, 2, 2, 2 }),
            ResNetDepth.ResNet34 => (false, new[] { 3, 4, 6, 3 }),
            ResNetDepth.ResNet50 => (true, new[] { 3, 4, 6, 3 }),
            _ => throw new ArgumentOutOfRangeException(nameof(depth), depth, "Unknown ResNet depth."),
        };
        int expansion = bottleneck ? BottleneckBlock.Expansion : BasicBlock.Expansion;

        conv1 = nn.Conv2d(inChannels, width, 7, stride: 2, padding: 3, bias: false);
        bn1 = nn.BatchNorm2d(width);
        relu = nn.ReLU();
        maxpool = nn.MaxPool2d(3, stride: 2, padding: 1);
        long channels = width;
        Sequential Stage(int planes, int count, int stride)
        {
            var stage = new List<(string, nn.Module<Tensor, Tensor>)>();
            for (int i = 0; i < count; i++)
            {
                ResidualBlock block = bottleneck
                    ? new BottleneckBlock(channels, planes, i == 0 ? stride : 1)
                    : new BasicBlock(channels, planes, i == 0 ? stride : 1);
                stage.Add((i.ToString(System.Globalization.CultureInfo.InvariantCulture), block));
                channels = (long)planes * expansion;
            }

            return nn.Sequential(stage);
        }

        layer1 = Stage(width, blocks[0], 1);
        layer2 = Stage(width * 2, blocks[1], 2);
        layer3 = Stage(width * 4, blocks[2], 2);
        layer4 = Stage(width * 8, blocks[3], 2);
        avgpool = nn.AdaptiveAvgPool2d([1, 1]);
        flatten = nn.Flatten();
        Features = channels;
        _layers = [("conv1", conv1), ("bn1", bn1), ("relu", relu), ("maxpool", maxpool), ("layer1", layer1), ("layer2", layer2), ("layer3", layer3), ("layer4", layer4), ("avgpool", avgpool), ("flatten", flatten)];
        RegisterComponents();
        BackboneLayers.InitializeAsTorchvision(this);
    }

    /// <summary>The depth.</summary>
    public ResNetDepth Depth { get; }

    /// <summary>The feature count F of the output <c>[B, F]</c>.</summary>
    public long Features { get; }

    /// <summary>The layers in forward order, with their state-dict names (for exporters).</summary>
    public IReadOnlyList<(string Name, nn.Module<Tensor, Tensor> Module)> Layers => _layers;

    /// <summary>Computes the pooled features.</summary>
    /// <param name="input">Images <c>[B, C, H, W]</c>.</param>
    /// <returns>Features <c>[B, F]</c>.</returns>
    public override Tensor forward(Tensor input) => BackboneLayers.Forward(_layers, input);
}
