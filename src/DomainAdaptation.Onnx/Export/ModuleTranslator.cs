using DomainAdaptation.Models;
using DomainAdaptation.Models.Backbones;
using DomainAdaptation.Onnx.Proto;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DomainAdaptation.Onnx.Export;

/// <summary>
/// Translates a module tree into ONNX nodes in forward order. Every supported module maps to the ONNX operator that
/// computes the same function in evaluation mode; anything else — an unknown type, or a setting whose ONNX form would
/// differ (a padding mode other than zeros, batch norm without running statistics, a partial flatten) — is an
/// <see cref="OnnxExportException"/> naming the module's path and type.
/// </summary>
internal static class ModuleTranslator
{
    /// <summary>The module types with an ONNX form, for error messages.</summary>
    public const string Supported =
        "Sequential, ResNet and its residual blocks, MobileNetV2 and its inverted residual blocks (DomainAdaptation.Models.Backbones), Conv2d (grouped too), Linear, BatchNorm1d/2d (with running statistics), MaxPool2d, AvgPool2d, AdaptiveAvgPool2d to 1×1, Flatten(1, -1), " +
        "ReLU, ReLU6, LeakyReLU, Sigmoid, Tanh, ELU, Softmax, LogSoftmax, Identity, ChannelsLast, and the dropouts (removed: they are the identity in evaluation)";

    /// <summary>Appends the nodes of <paramref name="module"/> (at <paramref name="path"/>) to the graph.</summary>
    /// <param name="graph">The graph being written.</param>
    /// <param name="module">The module.</param>
    /// <param name="path">Its path in the model (the state-dict prefix).</param>
    /// <param name="skipped">Receives the paths of modules that are the identity in evaluation (dropout, ChannelsLast).</param>
    public static void Translate(GraphWriter graph, nn.Module module, string path, List<string> skipped)
    {
        string type = module.GetType().Name;
        switch (module)
        {
            case Sequential sequential:
                foreach ((string name, nn.Module child) in sequential.named_children()) Translate(graph, child, Join(path, name), skipped);
                break;

            case Models.Backbones.ResNet resnet:
                foreach ((string name, nn.Module<Tensor, Tensor> layer) in resnet.Layers) Translate(graph, layer, Join(path, name), skipped);
                break;

            case MobileNetV2 mobilenet:
                foreach ((string name, nn.Module<Tensor, Tensor> layer) in mobilenet.Layers) Translate(graph, layer, Join(path, name), skipped);
                break;

            case InvertedResidual inverted:
            {
                // conv(x) (+ x when the block keeps its width and resolution); no activation after the sum.
                string input = graph.Current;
                Translate(graph, inverted.Conv, Join(path, "conv"), skipped);
                if (inverted.UsesResidual) graph.Node("Add", path, [input]);
                break;
            }

            case ResidualBlock block:
            {
                // relu(main(x) + shortcut(x)): the main path from x, the shortcut from x again, then Add and Relu.
                string input = graph.Current;
                foreach ((string name, nn.Module<Tensor, Tensor> layer) in block.MainPath) Translate(graph, layer, Join(path, name), skipped);
                string main = graph.Current;
                string shortcut = input;
                if (block.Downsample is { } downsample)
                {
                    graph.ReadFrom(input);
                    Translate(graph, downsample, Join(path, "downsample"), skipped);
                    shortcut = graph.Current;
                }

                graph.ReadFrom(main);
                graph.Node("Add", path, [shortcut]);
                graph.Node("Relu", path);
                break;
            }

            case Dropout or Dropout1d or Dropout2d or Dropout3d or AlphaDropout or FeatureAlphaDropout or Identity or ChannelsLast:
                skipped.Add(path);
                break;

            case Conv2d conv:
                Conv(graph, conv, path);
                break;

            case Linear linear:
            {
                var inputs = new List<string> { graph.Initializer(path + ".weight", linear.weight) };
                if (linear.bias is { } bias) inputs.Add(graph.Initializer(path + ".bias", bias));
                graph.Node("Gemm", path, inputs).Int("transB", 1);
                break;
            }

            case BatchNorm bn:
                BatchNormalization(graph, bn, path, type);
                break;

            case MaxPool2d pool:
            {
                long[] kernel = pool.kernel_size;
                NodeProto node = graph.Node("MaxPool", path)
                    .Ints("kernel_shape", kernel)
                    .Ints("strides", pool.stride ?? kernel)
                    .Ints("pads", Pads(pool.padding ?? [0, 0]))
                    .Ints("dilations", pool.dilation ?? [1, 1]);
                if (pool.ceil_mode) node.Int("ceil_mode", 1);
                break;
            }

            case AvgPool2d pool:
                AveragePool(graph, pool, path, type);
                break;

            case AdaptiveAvgPool2d adaptive:
                GlobalAveragePool(graph, adaptive, path, type);
                break;

            case Flatten flatten:
                if (flatten.start_dim != 1 || flatten.end_dim != -1)
                {
                    throw new OnnxExportException(path, type, $"only Flatten(start_dim: 1, end_dim: -1) maps to ONNX Flatten, but it has start_dim {flatten.start_dim}, end_dim {flatten.end_dim}.");
                }

                graph.Node("Flatten", path).Int("axis", 1);
                break;

            case ReLU:
                graph.Node("Relu", path);
                break;

            case ReLU6:
                graph.Node("Clip", path, [graph.Constant(0f), graph.Constant(6f)]);
                break;

            case LeakyReLU leaky:
                graph.Node("LeakyRelu", path).Float("alpha", leaky.negative_slope);
                break;

            case Sigmoid:
                graph.Node("Sigmoid", path);
                break;

            case Tanh:
                graph.Node("Tanh", path);
                break;

            case ELU elu:
                graph.Node("Elu", path).Float("alpha", elu.alpha);
                break;

            case Softmax softmax:
                graph.Node("Softmax", path).Int("axis", softmax.dim);
                break;

            case LogSoftmax logSoftmax:
                graph.Node("LogSoftmax", path).Int("axis", logSoftmax.dim);
                break;

            default:
                throw new OnnxExportException(path, type,
                    $"the exporter has no ONNX form for it. Supported: {Supported}. Build the part from these modules, or leave it out of the classifier path.");
        }
    }

    private static void Conv(GraphWriter graph, Conv2d conv, string path)
    {
        const string type = nameof(Conv2d);
        if (conv.padding_mode != PaddingModes.Zeros)
        {
            throw new OnnxExportException(path, type, $"its padding mode is {conv.padding_mode}; ONNX Conv pads with zeros only (use PaddingModes.Zeros).");
        }

        long[] kernel = conv.kernel_size;
        long[] dilation = conv.dilation;
        long[] pads = conv.padding_type switch
        {
            Padding.Valid => [0, 0, 0, 0],
            Padding.Same => SamePads(kernel, dilation),
            _ => Pads(conv.padding ?? [0, 0]),
        };
        var inputs = new List<string> { graph.Initializer(path + ".weight", conv.weight) };
        if (conv.bias is { } bias) inputs.Add(graph.Initializer(path + ".bias", bias));
        graph.Node("Conv", path, inputs)
            .Ints("kernel_shape", kernel)
            .Ints("strides", conv.stride)
            .Ints("pads", pads)
            .Ints("dilations", dilation)
            .Int("group", conv.groups);
    }

    private static void BatchNormalization(GraphWriter graph, BatchNorm bn, string path, string type)
    {
        if (!bn.track_running_stats || bn.running_mean is null || bn.running_var is null)
        {
            throw new OnnxExportException(path, type, "it has no running statistics (track_running_stats: false), so in evaluation it normalises each batch by its own statistics, which an exported graph cannot do per request.");
        }

        long features = bn.num_features;
        string scale = bn.affine ? graph.Initializer(path + ".weight", bn.weight) : graph.Initializer(path + ".weight", [features], Enumerable.Repeat(1f, (int)features).ToArray());
        string shift = bn.affine && bn.bias is { } bias ? graph.Initializer(path + ".bias", bias) : graph.Initializer(path + ".bias", [features], new float[features]);
        string mean = graph.Initializer(path + ".running_mean", bn.running_mean);
        string variance = graph.Initializer(path + ".running_var", bn.running_var);
        graph.Node("BatchNormalization", path, [scale, shift, mean, variance]).Float("epsilon", bn.eps);
    }

    private static void AveragePool(GraphWriter graph, AvgPool2d pool, string path, string type)
    {
        if (pool.divisor_override is not null)
        {
            throw new OnnxExportException(path, type, "it has a divisor_override, which ONNX AveragePool does not have.");
        }

        long[] kernel = pool.kernel_size;
        NodeProto node = graph.Node("AveragePool", path)
            .Ints("kernel_shape", kernel)
            .Ints("strides", pool.stride ?? kernel)
            .Ints("pads", Pads(pool.padding ?? [0, 0]))
            .Int("count_include_pad", pool.count_include_pad ? 1 : 0);
        if (pool.ceil_mode) node.Int("ceil_mode", 1);
    }

    private static void GlobalAveragePool(GraphWriter graph, AdaptiveAvgPool2d adaptive, string path, string type)
    {
        long[] size = adaptive.output_size;
        if (size.Any(s => s != 1))
        {
            throw new OnnxExportException(path, type, $"only an output size of 1×1 maps to ONNX GlobalAveragePool, but it is {string.Join("×", size)}.");
        }

        graph.Node("GlobalAveragePool", path);
    }

    /// <summary>TorchSharp's symmetric (h, w) padding as ONNX's [top, left, bottom, right].</summary>
    private static long[] Pads(long[] padding) => padding.Length switch
    {
        1 => [padding[0], padding[0], padding[0], padding[0]],
        2 => [padding[0], padding[1], padding[0], padding[1]],
        _ => throw new ArgumentException($"A 2-d padding has 1 or 2 values, not {padding.Length}."),
    };

    /// <summary>PyTorch's padding "same": total d·(k − 1) per axis, the smaller half first.</summary>
    private static long[] SamePads(long[] kernel, long[] dilation)
    {
        long totalH = dilation[0] * (kernel[0] - 1), totalW = dilation[1] * (kernel[1] - 1);
        return [totalH / 2, totalW / 2, totalH - totalH / 2, totalW - totalW / 2];
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;
}
