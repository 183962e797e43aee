namespace DomainAdaptation.PyTorch;

/// <summary>How <see cref="PyTorchWeights"/> maps a file's keys onto a module's state dict.</summary>
public sealed class PyTorchWeightsOptions
{
    /// <summary>
    /// For a torchvision classification checkpoint loaded into a backbone without its classifier
    /// (<c>DomainAdaptation.Models.Backbones.ResNet</c>, <c>MobileNetV2</c>): the file's classifier keys, <c>fc.*</c>
    /// (ResNet) and <c>classifier.*</c> (MobileNetV2), are ignored.
    /// </summary>
    public static PyTorchWeightsOptions TorchvisionBackbone => new() { IgnoredPrefixes = ["fc.", "classifier."] };

    /// <summary>
    /// A prefix removed from the file's keys before matching, e.g. <c>module.</c> (a checkpoint of
    /// <c>nn.DataParallel</c>) or <c>backbone.</c>; null for none. Keys without it are matched as they are.
    /// </summary>
    public string? StripPrefix { get; set; }

    /// <summary>A prefix put before the file's keys (after <see cref="StripPrefix"/>), e.g. <c>feature_extractor.</c> to load a backbone's weights into a whole model; null for none.</summary>
    public string? AddPrefix { get; set; }

    /// <summary>File keys starting with one of these (after the prefix mapping) are ignored, not unexpected.</summary>
    public IReadOnlyList<string> IgnoredPrefixes { get; set; } = [];

    /// <summary>Whether module keys the file lacks are allowed (left as they are and reported); default false: they are an error.</summary>
    public bool AllowMissing { get; set; }
}
