using DomainAdaptation.Onnx.Proto;
using Google.Protobuf;
using static TorchSharp.torch;

namespace DomainAdaptation.Onnx.Export;

/// <summary>
/// Accumulates an ONNX graph: nodes in execution order and float32 initializers named by their state-dict keys, so that
/// <c>feature_extractor.conv1.weight</c> in a checkpoint is <c>feature_extractor.conv1.weight</c> in the ONNX file.
/// </summary>
internal sealed class GraphWriter
{
    private readonly GraphProto _graph = new();
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<float, string> _constants = [];

    public GraphWriter(string name, string input)
    {
        _graph.Name = name;
        Current = input;
        _names.Add(input);
    }

    /// <summary>The value the next node reads.</summary>
    public string Current { get; private set; }

    public GraphProto Graph => _graph;

    /// <summary>Makes <paramref name="value"/> (an earlier output) the value the next node reads: for branches.</summary>
    public void ReadFrom(string value) => Current = value;

    public int ParameterCount { get; private set; }

    /// <summary>Adds a float32 initializer from a tensor (any dtype or device; copied to the CPU as float32).</summary>
    public string Initializer(string name, Tensor value)
    {
        using var scope = NewDisposeScope();
        Tensor cpu = value.detach().cpu().to_type(ScalarType.Float32).contiguous();
        return Initializer(name, cpu.shape, cpu.data<float>().ToArray());
    }

    /// <summary>Adds a float32 initializer from values (raw little-endian data).</summary>
    public string Initializer(string name, long[] shape, float[] data)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw tensor data is little-endian; this exporter runs on little-endian machines only.");
        var proto = new TensorProto { Name = Unique(name), DataType = (int)TensorProto.Types.DataType.Float };
        proto.Dims.AddRange(shape);
        byte[] bytes = new byte[data.Length * sizeof(float)];
        Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length);
        proto.RawData = ByteString.CopyFrom(bytes);
        _graph.Initializer.Add(proto);
        ParameterCount += data.Length;
        return proto.Name;
    }

    /// <summary>
    /// A float32 scalar initializer (shape []) for an operator's attribute-like input, such as Clip's bounds; one per
    /// value in the graph, and not counted in <see cref="ParameterCount"/> (it is no weight of the model).
    /// </summary>
    public string Constant(float value)
    {
        if (_constants.TryGetValue(value, out string? name)) return name;
        var proto = new TensorProto { Name = Unique("constant/" + value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)), DataType = (int)TensorProto.Types.DataType.Float };
        proto.RawData = ByteString.CopyFrom(BitConverter.GetBytes(value));
        _graph.Initializer.Add(proto);
        _constants[value] = proto.Name;
        return proto.Name;
    }

    /// <summary>Adds a node reading <see cref="Current"/> (and <paramref name="extraInputs"/>) and makes its output current.</summary>
    public NodeProto Node(string opType, string name, IEnumerable<string>? extraInputs = null, string? output = null)
    {
        var node = new NodeProto { OpType = opType, Name = Unique(name + "/" + opType) };
        node.Input.Add(Current);
        if (extraInputs is not null) node.Input.AddRange(extraInputs);
        string result = output ?? Unique(name + "/" + opType + ":0");
        _names.Add(result);
        node.Output.Add(result);
        _graph.Node.Add(node);
        Current = result;
        return node;
    }

    /// <summary>Renames the current value (the last node's output) to <paramref name="name"/>.</summary>
    public void NameCurrent(string name)
    {
        if (_graph.Node.Count == 0)
        {
            // The model computes the identity: the output is a copy of the input.
            Node("Identity", name, output: name);
            return;
        }

        NodeProto last = _graph.Node[^1];
        last.Output[0] = name;
        Current = name;
    }

    private string Unique(string name)
    {
        string candidate = name;
        for (int i = 1; !_names.Add(candidate); i++) candidate = name + "_" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return candidate;
    }
}

/// <summary>Attribute helpers for <see cref="NodeProto"/>.</summary>
internal static class NodeAttributes
{
    public static NodeProto Ints(this NodeProto node, string name, IEnumerable<long> values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        node.Attribute.Add(attribute);
        return node;
    }

    public static NodeProto Int(this NodeProto node, string name, long value)
    {
        node.Attribute.Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value });
        return node;
    }

    public static NodeProto Float(this NodeProto node, string name, double value)
    {
        node.Attribute.Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = (float)value });
        return node;
    }
}
