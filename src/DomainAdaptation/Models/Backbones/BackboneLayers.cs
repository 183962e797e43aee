using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DomainAdaptation.Models.Backbones;

/// <summary>What torchvision's backbones (<see cref="ResNet"/>, <see cref="MobileNetV2"/>) share: a forward pass through named layers in order, and torchvision's initialisation.</summary>
internal static class BackboneLayers
{
    /// <summary>Runs <paramref name="input"/> through <paramref name="layers"/> in order, in one dispose scope.</summary>
    public static Tensor Forward(IReadOnlyList<(string Name, nn.Module<Tensor, Tensor> Module)> layers, Tensor input)
    {
        using var scope = NewDisposeScope();
        Tensor x = input;
        foreach ((string _, nn.Module<Tensor, Tensor> layer) in layers) x = layer.call(x);
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// torchvision's initialisation of its ResNets and MobileNetV2: every convolution <c>kaiming_normal_(mode="fan_out")</c>
    /// (nonlinearity ReLU, gain √2), every batch norm weight 1 and bias 0, in module order (so a seed gives the same weights).
    /// </summary>
    public static void InitializeAsTorchvision(nn.Module root)
    {
        using var noGrad = no_grad();
        foreach (nn.Module m in root.modules())
        {
            switch (m)
            {
                case Conv2d c:
                    nn.init.kaiming_normal_(c.weight, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
                    break;
                case BatchNorm2d b:
                    nn.init.ones_(b.weight);
                    nn.init.zeros_(b.bias!);
                    break;
            }
        }
    }
}
