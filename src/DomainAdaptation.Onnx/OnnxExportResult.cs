namespace DomainAdaptation.Onnx;

/// <summary>What <see cref="OnnxExporter"/> wrote.</summary>
/// <param name="Path">The file written, or null when exported to a stream.</param>
/// <param name="Bytes">The size of the ONNX model.</param>
/// <param name="Opset">The ONNX operator set (<see cref="OnnxExporter.Opset"/>).</param>
/// <param name="NodeCount">The graph's nodes.</param>
/// <param name="ParameterCount">The float32 values in the initializers (weights and batch-norm statistics).</param>
/// <param name="ClassCount">The model's classes (its output width).</param>
/// <param name="Metadata">The metadata written.</param>
/// <param name="RemovedModules">The paths of modules left out because they are the identity in evaluation (dropout, channels-last layout).</param>
public sealed record OnnxExportResult(
    string? Path,
    long Bytes,
    long Opset,
    int NodeCount,
    long ParameterCount,
    int ClassCount,
    OnnxModelMetadata Metadata,
    IReadOnlyList<string> RemovedModules);
