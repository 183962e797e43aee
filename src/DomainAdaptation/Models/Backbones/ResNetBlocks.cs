using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Models.Backbones;

/// <summary>
/// A residual block: <c>relu(main(x) + shortcut(x))</c>, where <c>shortcut</c> is the identity or <c>downsample</c>
/// (a 1×1 convolution and batch norm when the block changes the width or the resolution). The main path is exposed in
/// forward order (<see cref="MainPath"/>) so that exporters can write the block exactly.
/// </summary>
public abstract class ResidualBlock : nn.Module<Tensor, Tensor>
{
    /// <summary>Creates the block.</summary>
    /// <param name="name">The module name.</param>
    protected ResidualBlock(string name)
        : base(name)
    {
    }

    /// <summary>The main path's layers in forward order, with their state-dict names.</summary>
    public abstract IReadOnlyList<(string Name, nn.Module<Tensor, Tensor> Module)> MainPath { get; }

    /// <summary>The shortcut's projection (1×1 convolution → batch norm), or null for the identity.</summary>
    public abstract nn.Module<Tensor, Tensor>? Downsample { get; }

    /// <summary>Computes <c>relu(main(x) + shortcut(x))</c>.</summary>
    /// <param name="input">Feature maps <c>[B, C_in, H, W]</c>.</param>
    /// <returns>Feature maps <c>[B, C_out, H / stride, W / stride]</c>.</returns>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        Tensor x = input;
        foreach ((string _, nn.Module<Tensor, Tensor> layer) in MainPath) x = layer.call(x);
        Tensor shortcut = Downsample is null ? input : Downsample.call(input);
        return x.add(shortcut).relu_().MoveToOuterDisposeScope();
    }

    /// <summary>torchvision's 1×1 projection shortcut: <c>0</c> (Conv2d, no bias) → <c>1</c> (BatchNorm2d).</summary>
    internal static nn.Module<Tensor, Tensor> Projection(long inChannels, long outChannels, long stride) => nn.Sequential(
        ("0", nn.Conv2d(inChannels, outChannels, 1, stride: stride, bias: false)),
        ("1", nn.BatchNorm2d(outChannels)));
}

/// <summary>
/// ResNet's basic block (He et al., CVPR 2016; torchvision <c>BasicBlock</c>, expansion 1): <c>conv1</c> 3×3 (stride) →
/// <c>bn1</c> → ReLU → <c>conv2</c> 3×3 → <c>bn2</c>, plus the shortcut, then ReLU. State-dict keys as torchvision's.
/// </summary>
public sealed class BasicBlock : ResidualBlock
{
#pragma warning disable IDE1006 // Field names are the state-dict keys.
    private readonly nn.Module<Tensor, Tensor> conv1;
    private readonly nn.Module<Tensor, Tensor> bn1;
    private readonly nn.Module<Tensor, Tensor> relu;
    private readonly nn.Module<Tensor, Tensor> conv2;
    private readonly nn.Module<Tensor, Tensor> bn2;
    private readonly nn.Module<Tensor, Tensor>? downsample;
#pragma warning restore IDE1006
    private readonly (string, nn.Module<Tensor, Tensor>)[] _main;

    /// <summary>The channel multiplier of the block's output over <c>planes</c>.</summary>
    public const int Expansion = 1;

    /// <summary>Creates the block.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="planes">Output channels.</param>
    /// <param name="stride">The first convolution's stride (2 halves the resolution).</param>
    public BasicBlock(long inChannels, long planes, long stride)
        : base(nameof(BasicBlock))
    {
        conv1 = nn.Conv2d(inChannels, planes, 3, stride: stride, padding: 1, bias: false);
        bn1 = nn.BatchNorm2d(planes);
        relu = nn.ReLU();
        conv2 = nn.Conv2d(planes, planes, 3, padding: 1, bias: false);
        bn2 = nn.BatchNorm2d(planes);
        downsample = stride != 1 || inChannels != planes * Expansion ? Projection(inChannels, planes * Expansion, stride) : null;
        _main = [("conv1", conv1), ("bn1", bn1), ("relu", relu), ("conv2", conv2), ("bn2", bn2)];
        RegisterComponents();
    }

    /// <inheritdoc />
    public override IReadOnlyList<(string Name, nn.Module<Tensor, Tensor> Module)> MainPath => _main;

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor>? Downsample => downsample;
}

/// <summary>
/// ResNet's bottleneck block (torchvision <c>Bottleneck</c>, the v1.5 layout: stride on the 3×3; expansion 4):
/// <c>conv1</c> 1×1 → <c>bn1</c> → ReLU → <c>conv2</c> 3×3 (stride) → <c>bn2</c> → ReLU → <c>conv3</c> 1×1 (×4) →
/// <c>bn3</c>, plus the shortcut, then ReLU. State-dict keys as torchvision's.
/// </summary>
public sealed class BottleneckBlock : ResidualBlock
{
#pragma warning disable IDE1006 // Field names are the state-dict keys.
    private readonly nn.Module<Tensor, Tensor> conv1;
    private readonly nn.Module<Tensor, Tensor> bn1;
    private readonly nn.Module<Tensor, Tensor> relu1;
    private readonly nn.Module<Tensor, Tensor> conv2;
    private readonly nn.Module<Tensor, Tensor> bn2;
    private readonly nn.Module<Tensor, Tensor> relu2;
    private readonly nn.Module<Tensor, Tensor> conv3;
    private readonly nn.Module<Tensor, Tensor> bn3;
    private readonly nn.Module<Tensor, Tensor>? downsample;
#pragma warning restore IDE1006
    private readonly (string, nn.Module<Tensor, Tensor>)[] _main;

    /// <summary>The channel multiplier of the block's output over <c>planes</c>.</summary>
    public const int Expansion = 4;

    /// <summary>Creates the block.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="planes">The inner width; the block gives <c>4 · planes</c> channels.</param>
    /// <param name="stride">The 3×3 convolution's stride.</param>
    public BottleneckBlock(long inChannels, long planes, long stride)
        : base(nameof(BottleneckBlock))
    {
        conv1 = nn.Conv2d(inChannels, planes, 1, bias: false);
        bn1 = nn.BatchNorm2d(planes);
        relu1 = nn.ReLU();
        conv2 = nn.Conv2d(planes, planes, 3, stride: stride, padding: 1, bias: false);
        bn2 = nn.BatchNorm2d(planes);
        relu2 = nn.ReLU();
        conv3 = nn.Conv2d(planes, planes * Expansion, 1, bias: false);
        bn3 = nn.BatchNorm2d(planes * Expansion);
        downsample = stride != 1 || inChannels != planes * Expansion ? Projection(inChannels, planes * Expansion, stride) : null;
        _main = [("conv1", conv1), ("bn1", bn1), ("relu1", relu1), ("conv2", conv2), ("bn2", bn2), ("relu2", relu2), ("conv3", conv3), ("bn3", bn3)];
        RegisterComponents();
    }

    /// <inheritdoc />
    public override IReadOnlyList<(string Name, nn.Module<Tensor, Tensor> Module)> MainPath => _main;

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor>? Downsample => downsample;
}
