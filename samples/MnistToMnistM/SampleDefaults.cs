namespace MnistToMnistM;

/// <summary>
/// What `train` runs without options. The method and its settings were chosen among the methods benchmark's runs
/// (docs/methods.md) by the validator that docs/selection.md's study found most trustworthy, without target labels;
/// `--preset paper` (without `--method`) is the DANN paper's reproduction instead (docs/results.md).
/// </summary>
internal static class SampleDefaults
{
    /// <summary>The default method specification (MethodCatalog syntax).</summary>
    public const string Method = "dann+mcc";

    /// <summary>The default preset.</summary>
    public const string Preset = "modern";

    /// <summary>The steps of a full run: 6,000 with the modern preset (the methods benchmark's budget), 12,000 with the paper's.</summary>
    public static long Steps(MnistToMnistM.Preset preset) => preset == MnistToMnistM.Preset.Paper ? ExperimentSettings.DefaultSteps : 6_000;
}
