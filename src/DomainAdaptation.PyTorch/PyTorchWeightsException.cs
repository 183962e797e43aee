namespace DomainAdaptation.PyTorch;

/// <summary>
/// Thrown when a weights file does not fit a module: every missing, unexpected and mis-shaped key is listed in one
/// message (with the shapes), so one look says whether the file is of another architecture, another width, or needs a
/// prefix mapped (<see cref="PyTorchWeightsOptions"/>).
/// </summary>
public sealed class PyTorchWeightsException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="path">The weights file.</param>
    /// <param name="missing">Module keys the file lacks.</param>
    /// <param name="unexpected">File keys the module lacks.</param>
    /// <param name="misShaped">Keys in both with other shapes: (key, file shape, module shape).</param>
    public PyTorchWeightsException(string message, string path, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<(string Key, long[] FileShape, long[] ModuleShape)> misShaped)
        : base(message)
    {
        Path = path;
        Missing = missing;
        Unexpected = unexpected;
        MisShaped = misShaped;
    }

    /// <summary>The weights file.</summary>
    public string Path { get; }

    /// <summary>Module keys the file lacks.</summary>
    public IReadOnlyList<string> Missing { get; }

    /// <summary>File keys the module lacks.</summary>
    public IReadOnlyList<string> Unexpected { get; }

    /// <summary>Keys in both with other shapes.</summary>
    public IReadOnlyList<(string Key, long[] FileShape, long[] ModuleShape)> MisShaped { get; }
}
