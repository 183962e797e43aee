using DomainAdaptation.Models;
using DomainAdaptation.Onnx.Export;
using DomainAdaptation.Onnx.Proto;
using Google.Protobuf;
using static TorchSharp.torch;

namespace DomainAdaptation.Onnx;

/// <summary>
/// Exports the part of an adapted model that ships — the classifier path <c>G_y(B(G_f(x)))</c> of an
/// <see cref="AdaptationModel"/> — as an ONNX model that ONNX Runtime (or any ONNX runtime) runs without TorchSharp.
/// </summary>
/// <remarks>
/// <para>
/// What is written: opset <see cref="Opset"/> (IR version <see cref="IrVersion"/>); one float32 input <c>input</c>
/// <c>[batch, …InputShape]</c> with a dynamic batch dimension; one output, <c>logits</c> <c>[batch, K]</c> or, with
/// <see cref="OnnxExportOptions.IncludeSoftmax"/>, <c>probabilities</c>; the weights as initializers named by their
/// checkpoint keys; batch norm in its evaluation form (the running statistics); dropout and the channels-last layout
/// layer left out. The domain classifier, the gradient reversal layer and every method module belong to the method,
/// not to the <see cref="AdaptationModel"/>, so they are never part of the export. The metadata
/// (<see cref="OnnxModelMetadata"/>) holds the class names, the input shape, the normalisation, the method and the run.
/// </para>
/// <para>
/// Exactness: every module maps to the ONNX operator that computes the same function; a module or setting without
/// such an operator is an <see cref="OnnxExportException"/> naming its path and type, never an approximate graph.
/// The tests check ONNX Runtime's outputs against TorchSharp's evaluation outputs (within 1e-4) for every preset.
/// </para>
/// </remarks>
public static class OnnxExporter
{
    /// <summary>The ONNX operator set the graphs use.</summary>
    public const long Opset = 17;

    /// <summary>The ONNX IR version written (8: ONNX 1.12–1.13, the first to carry opset 17), so older checkers read the files too.</summary>
    public const long IrVersion = 8;

    /// <summary>Exports <paramref name="model"/> to a file, written atomically (a temporary file renamed into place).</summary>
    /// <param name="model">The trained model; its parameters may be on any device and in any floating dtype (written as float32). It is not changed.</param>
    /// <param name="path">The <c>.onnx</c> file to write (replaced if it exists).</param>
    /// <param name="options">The input shape, output form and metadata.</param>
    /// <returns>What was written.</returns>
    /// <exception cref="OnnxExportException">When a module cannot be exported exactly.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">When the options are invalid.</exception>
    public static OnnxExportResult ExportToFile(AdaptationModel model, string path, OnnxExportOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ModelProto proto = Build(model, options, out int classes, out OnnxModelMetadata metadata, out List<string> removed);
        string full = Path.GetFullPath(path);
        string? folder = Path.GetDirectoryName(full);
        if (folder is not null) Directory.CreateDirectory(folder);
        string temp = full + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                proto.WriteTo(file);
                file.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }

        return Result(full, new FileInfo(full).Length, proto, classes, metadata, removed);
    }

    /// <summary>Exports <paramref name="model"/> to a stream.</summary>
    /// <param name="model">The trained model (not changed).</param>
    /// <param name="output">Receives the ONNX model's bytes.</param>
    /// <param name="options">The input shape, output form and metadata.</param>
    /// <returns>What was written.</returns>
    /// <exception cref="OnnxExportException">When a module cannot be exported exactly.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">When the options are invalid.</exception>
    public static OnnxExportResult Export(AdaptationModel model, Stream output, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(output);
        ModelProto proto = Build(model, options, out int classes, out OnnxModelMetadata metadata, out List<string> removed);
        byte[] bytes = proto.ToByteArray();
        output.Write(bytes);
        return Result(null, bytes.Length, proto, classes, metadata, removed);
    }

    /// <summary>Exports <paramref name="model"/> to bytes.</summary>
    /// <param name="model">The trained model (not changed).</param>
    /// <param name="options">The input shape, output form and metadata.</param>
    /// <returns>The ONNX model.</returns>
    /// <exception cref="OnnxExportException">When a module cannot be exported exactly.</exception>
    public static byte[] ExportToBytes(AdaptationModel model, OnnxExportOptions options)
    {
        using var memory = new MemoryStream();
        Export(model, memory, options);
        return memory.ToArray();
    }

    private static OnnxExportResult Result(string? path, long bytes, ModelProto proto, int classes, OnnxModelMetadata metadata, List<string> removed) =>
        new(path, bytes, Opset, proto.Graph.Node.Count, proto.Graph.Initializer.Sum(t => t.Dims.Aggregate(1L, (a, b) => a * b)), classes, metadata, removed);

    internal static ModelProto Build(AdaptationModel model, OnnxExportOptions options, out int classes, out OnnxModelMetadata metadata, out List<string> removed)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        OnnxExportOptionsValidator.EnsureValid(options);
        long[] sampleShape = options.InputShape!.Dimensions.ToArray();
        classes = ClassCount(model, sampleShape);
        if (options.ClassNames is { } names && names.Count != classes)
        {
            throw new ArgumentException($"{nameof(OnnxExportOptions.ClassNames)} has {names.Count} names, but the model has {classes} classes (its output width).", nameof(options));
        }

        var graph = new GraphWriter(options.GraphName, OnnxModelMetadata.InputName);
        removed = [];
        foreach ((string prefix, nn.Module part, double _) in model.Parts) ModuleTranslator.Translate(graph, part, prefix, removed);
        OnnxOutputKind output = options.IncludeSoftmax ? OnnxOutputKind.Probabilities : OnnxOutputKind.Logits;
        if (options.IncludeSoftmax) graph.Node("Softmax", "softmax").Int("axis", 1);
        metadata = new OnnxModelMetadata(
            sampleShape,
            options.ClassNames?.ToArray() ?? Enumerable.Range(0, classes).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
            options.Normalisation?.Mean, options.Normalisation?.Std, output, options.Method, options.RunId);
        graph.NameCurrent(metadata.OutputName);

        GraphProto g = graph.Graph;
        g.Input.Add(Value(OnnxModelMetadata.InputName, sampleShape));
        g.Output.Add(Value(metadata.OutputName, [classes]));
        var proto = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "DomainAdaptation.Onnx",
            ProducerVersion = typeof(OnnxExporter).Assembly.GetName().Version?.ToString(3) ?? "0",
            Domain = "ai.domainadaptation",
            ModelVersion = 1,
            DocString = "The classifier path (feature extractor → bottleneck → label classifier) of a DomainAdaptation model.",
            Graph = g,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = Opset });
        foreach ((string key, string value) in metadata.ToProperties()) proto.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return proto;
    }

    /// <summary>The model's output width, from one evaluation-mode forward pass of a zero sample (the model's mode is restored).</summary>
    private static int ClassCount(AdaptationModel model, long[] sampleShape)
    {
        bool training = model.training;
        TorchSharp.Modules.Parameter? first = model.parameters().FirstOrDefault();
        Device device = first?.device ?? CPU;
        ScalarType dtype = first?.dtype ?? ScalarType.Float32;
        try
        {
            model.eval();
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            Tensor logits;
            try
            {
                logits = model.call(zeros([1, .. sampleShape], dtype: dtype, device: device));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                throw new ArgumentException($"The model does not accept a sample of {nameof(OnnxExportOptions.InputShape)} [{string.Join(", ", sampleShape)}] (with a batch dimension in front): {ex.Message}", nameof(sampleShape), ex);
            }

            if (logits.dim() != 2 || logits.shape[0] != 1)
            {
                throw new ArgumentException($"The model gives [{string.Join(", ", logits.shape)}] for one sample; a classifier gives [1, K].", nameof(model));
            }

            return checked((int)logits.shape[1]);
        }
        finally
        {
            model.train(training);
        }
    }

    private static ValueInfoProto Value(string name, long[] sampleShape)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "batch" });
        foreach (long d in sampleShape) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
