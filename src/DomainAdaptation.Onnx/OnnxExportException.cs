namespace DomainAdaptation.Onnx;

/// <summary>
/// Thrown when a model cannot be exported exactly: a module the exporter has no ONNX form for, or a setting of a known
/// module whose ONNX form would compute something else. It names the module's path in the model and its type; the
/// exporter never writes a graph that differs from the model.
/// </summary>
public sealed class OnnxExportException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="modulePath">The module's path in the model, e.g. <c>feature_extractor.block1</c>.</param>
    /// <param name="moduleType">The module's .NET type name.</param>
    /// <param name="reason">Why it cannot be exported, and what would work.</param>
    public OnnxExportException(string modulePath, string moduleType, string reason)
        : base($"Module '{modulePath}' ({moduleType}) cannot be exported to ONNX: {reason}")
    {
        ModulePath = modulePath;
        ModuleType = moduleType;
    }

    /// <summary>The module's path in the model.</summary>
    public string ModulePath { get; }

    /// <summary>The module's .NET type name.</summary>
    public string ModuleType { get; }
}
