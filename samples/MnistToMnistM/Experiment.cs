using System.Globalization;
using DomainAdaptation.Data;
using DomainAdaptation.Data.Augmentation;
using DomainAdaptation.Data.Datasets;
using DomainAdaptation.Methods;
using DomainAdaptation.Models;
using DomainAdaptation.Schedules;
using DomainAdaptation.Training;
using DomainAdaptation.Training.Optimization;
using DomainAdaptation.Training.Precision;

namespace MnistToMnistM;

/// <summary>The network and optimisation recipe.</summary>
internal enum Preset
{
    /// <summary>
    /// The paper's MNIST network, SGD with momentum and the paper's λ and learning-rate schedules; 32×32 input by
    /// default (MNIST padded, MNIST-M as released: the size reverse validation selects, docs/results.md).
    /// </summary>
    Paper,

    /// <summary>
    /// The paper's widths with batch norm and dropout in the PyTorch reproductions' layout (<c>ModelPresets.MnistModern</c>),
    /// each domain through its own forward pass (<c>BatchNormMode.Separate</c>), mean/std input standardisation, Adam
    /// 10⁻³ with the paper's annealing and λ schedule; 32×32 input by default (chosen by reverse validation too).
    /// </summary>
    Modern,
}

/// <summary>Everything that defines a run (recorded in run.json; enough to rebuild the model for evaluation).</summary>
internal sealed record ExperimentSettings(
    string Method,
    Preset Preset,
    long Steps,
    int BatchSize,
    long Seed,
    int Threads,
    string? SourcePath,
    string? TargetPath,
    int EvaluationInterval,
    int ImageSize = 28,
    bool BinarizeSource = false,
    double WeightAverageDecay = 0,
    TrainingPrecision Precision = TrainingPrecision.Full,
    double DomainLossWeight = 1,
    double? LearningRate = null,
    double? AnnealingPower = null,
    AugmentationKind SourceAugmentation = AugmentationKind.None,
    int? CheckpointInterval = null,
    string? Backbone = null,
    string? BackboneWeights = null,
    bool SkipBadImages = false,
    double? TestFraction = null,
    AugmentationKind TargetAugmentation = AugmentationKind.None,
    bool Stream = false,
    string? Resize = null)
{
    /// <summary>How --source/--target files are read: bad images skipped or not, the seeded test split of a folder without train/ and test/, streamed or in memory, the load size.</summary>
    public DataLoading.FolderLoad FolderLoad => new(SkipBadImages, TestFraction, Seed, Stream,
        Resize is null ? null : new DataLoading.ImageSize(int.Parse(Resize.Split('x')[0], CultureInfo.InvariantCulture), int.Parse(Resize.Split('x')[1], CultureInfo.InvariantCulture)));

    /// <summary>Whether the run is the paper's experiment: MNIST → MNIST-M with a preset's network (not --source/--target, not --backbone).</summary>
    public bool IsPaperProblem => SourcePath is null && TargetPath is null && Backbone is null;

    /// <summary>The --backbone values: torchvision's ResNets and MobileNetV2 (DomainAdaptation.Models.Backbones), by torchvision's names.</summary>
    public static readonly string[] Backbones = ["resnet18", "resnet34", "resnet50", "mobilenet_v2"];

    /// <summary>
    /// The longest stretch of training without a checkpoint when --checkpoint-interval is not given: a checkpoint every
    /// 10% of the run (<see cref="CheckpointSteps"/>) and, on top of that, whenever 5 minutes of training passed since the last.
    /// </summary>
    public static readonly TimeSpan CheckpointTimeInterval = TimeSpan.FromMinutes(5);

    /// <summary>The steps between checkpoints: --checkpoint-interval, or 10% of the run (at least 1).</summary>
    public int CheckpointSteps => CheckpointInterval ?? (int)Math.Clamp(Steps / 10, 1, int.MaxValue);

    /// <summary>Steps of a full run, both presets (7–9 minutes each at 32×32 on 2 cores; see docs/results.md).</summary>
    public const long DefaultSteps = 12_000;

    /// <summary>
    /// The input size when --size is not given: 32 (MNIST padded 28 → 32, MNIST-M as released) for both presets, chosen
    /// over 28 for each by reverse validation, without target labels (docs/results.md).
    /// </summary>
    public const int DefaultImageSize = 32;

    /// <summary>
    /// The weight-average decay when --average-decay is not given: 0, the last step's weights, for both presets. For the
    /// paper preset, 0.999 was measured and reverse validation did not prefer it (a tie; docs/results.md).
    /// </summary>
    public const double DefaultWeightAverageDecay = 0;

    /// <summary>
    /// The arithmetic when --precision is not given: float32 for both presets, the precision of every figure in
    /// docs/results.md. --precision bfloat16 (mixed precision) is 1.3–1.5× faster per step on CPUs with native bfloat16; its
    /// accuracy is measured in docs/results.md ("bfloat16 mixed precision").
    /// </summary>
    public const TrainingPrecision DefaultPrecision = TrainingPrecision.Full;

    /// <summary>
    /// The domain-loss weight w of DANN (the library's Dann.DomainLossWeight: total = label loss + w · domain loss, the domain loss
    /// averaged over all 2B images of the batch) when --domain-weight is not given: 1 for both presets.
    /// </summary>
    public const double DefaultDomainLossWeight = 1;

    /// <summary>
    /// The initial learning rate μ₀ of the annealing schedule μ_p = μ₀ / (1 + 10p)^β when --learning-rate is not
    /// given: the paper's 0.01 for the paper preset (0.02 was measured and could not be reverse-validated;
    /// docs/results.md), 10⁻³ for the modern preset's Adam.
    /// </summary>
    public static double DefaultLearningRate(Preset preset) => RecordedBeforeLearningRateOption(preset);

    /// <summary>
    /// What a run folder means when its run.json has no learning rate (recorded before --learning-rate existed): 0.01
    /// for the paper preset, 10⁻³ for the modern one.
    /// </summary>
    public static double RecordedBeforeLearningRateOption(Preset preset) => preset == Preset.Paper ? 0.01 : 1e-3;

    /// <summary>The initial learning rate μ₀ of this run's annealing schedule μ_p = μ₀ / (1 + 10p)^β.</summary>
    public double InitialLearningRate => LearningRate ?? RecordedBeforeLearningRateOption(Preset);

    /// <summary>
    /// The power β of the annealing μ_p = μ₀ / (1 + 10p)^β when --annealing-power is not given: the paper's 0.75, both
    /// presets (0.5 was measured for the paper preset and reverse validation did not prefer it; docs/results.md).
    /// </summary>
    public const double DefaultAnnealingPower = 0.75;

    /// <summary>What a run folder means when its run.json has no annealing power (recorded before --annealing-power existed): the paper's 0.75.</summary>
    public const double RecordedBeforeAnnealingOption = 0.75;

    /// <summary>This run's annealing power β.</summary>
    public double LearningRateAnnealingPower => AnnealingPower ?? RecordedBeforeAnnealingOption;

    /// <summary>Steps of a --quick run.</summary>
    public const long QuickSteps = 1000;

    /// <summary>The paper's Table 1 figure for this method on MNIST → MNIST-M, or null for the methods the paper did not run, other data or another network.</summary>
    public double? PaperFigure => !IsPaperProblem ? null : Method switch
    {
        "source-only" => 0.5225,
        "dann" => 0.7666,
        "target-only" => 0.9596,
        _ => null,
    };

    /// <summary>The method specification the run trains, with --domain-weight applied to a DANN part that sets no weight of its own.</summary>
    public string MethodSpecification => DomainLossWeight == 1
        ? Method
        : string.Join("+", Method.Split('+').Select(part => part == "dann" ? string.Create(CultureInfo.InvariantCulture, $"dann:weight={DomainLossWeight}") : part));

    /// <summary>Whether the run's method has a DANN part (the report then states the domain-loss weight).</summary>
    public bool HasDann => Method.Split('+').Any(p => p == "dann" || p.StartsWith("dann:", StringComparison.Ordinal));

    /// <summary>The image geometry of the MNIST → MNIST-M problem for this preset.</summary>
    public DigitsGeometry Geometry => ImageSize == 32 ? DigitsGeometry.Rgb32 : DigitsGeometry.Rgb28;

    /// <summary>
    /// How the MNIST → MNIST-M images reach the network, for reports (for example "3×32×32 input: MNIST made RGB and
    /// padded 28 → 32, MNIST-M as released"); null for a --source/--target pair, whose report names its data sets.
    /// </summary>
    public string? InputDescription => SourcePath is not null || TargetPath is not null
        ? null
        : string.Create(CultureInfo.InvariantCulture, $"3×{ImageSize}×{ImageSize} input: MNIST {(BinarizeSource ? "binarised (x > 0 → 255), " : "")}made RGB") +
          (Geometry == DigitsGeometry.Rgb32 ? " and padded 28 → 32, MNIST-M as released" : ", MNIST-M resized 32 → 28");

    /// <summary>The preset's builder for a sample shape and class count (its weights from <paramref name="seed"/>, by default the run's).</summary>
    public AdaptationModelBuilder Builder(SampleShape shape, int classes, long? seed = null) => Backbone switch
    {
        // A pretrained backbone learns at a tenth of the rate (tllib's recipe); one trained from scratch at the full rate.
        "mobilenet_v2" => ModelPresets.MobileNetV2(shape, classes, backboneLearningRate: BackboneLearningRate, seed: seed ?? Seed),
        not null => ModelPresets.ResNet(Enum.Parse<DomainAdaptation.Models.Backbones.ResNetDepth>(Backbone, ignoreCase: true), shape, classes,
            backboneLearningRate: BackboneLearningRate, seed: seed ?? Seed),
        _ => Preset switch
        {
            Preset.Paper => ModelPresets.Mnist(shape, classes, binaryDomain: true, seed: seed ?? Seed),
            _ => ModelPresets.MnistModern(shape, classes, binaryDomain: true, dropout: 0.5, seed: seed ?? Seed),
        },
    };

    /// <summary>The --backbone's learning-rate multiplier: 0.1 with --backbone-weights (tllib's recipe), 1 from scratch.</summary>
    private double BackboneLearningRate => BackboneWeights is null ? 1.0 : ModelPresets.DefaultBackboneLearningRate;

    /// <summary>Builds the untrained model for a sample shape and class count.</summary>
    public AdaptationModel BuildModel(SampleShape shape, int classes) => Builder(shape, classes).Build();

    /// <summary>
    /// The run's method, built by the library's catalogue: DANN gets the preset's domain classifier (the paper's), a mean
    /// teacher a second instance of the preset's network, MCD the preset's label classifier as its second classifier
    /// (both from another seed).
    /// </summary>
    public AdaptationMethod CreateMethod(AdaptationModelBuilder builder, SampleShape shape, int classes) =>
        MethodCatalog.Create(MethodSpecification, new MethodRequest
        {
            DomainClassifier = builder.DomainClassifier,
            CreateModel = () => Builder(shape, classes, Seed + 1_000_003).Build(),
        });

    /// <summary>The trainer options of this run.</summary>
    public AdaptationTrainerOptions TrainerOptions(string checkpointDirectory)
    {
        var options = new AdaptationTrainerOptions
        {
            Steps = Steps,
            BatchSizePerDomain = BatchSize,
            Seed = Seed,
            Device = "cpu",
            Evaluation = { Interval = EvaluationInterval },
            Checkpoints = { Directory = checkpointDirectory, Interval = CheckpointSteps, TimeInterval = CheckpointTimeInterval, OnCancel = true },
            Monitoring = { LogInterval = 1_000 },
            WeightAverageDecay = WeightAverageDecay,
            Precision = { Mode = Precision },
            Input = { SourceAugmentation = SourceAugmentation, TargetAugmentation = TargetAugmentation, ResizedCrop = ResizedCropSettings },
        };

        // Both presets anneal the learning rate as the paper does, μ_p = μ₀ / (1 + 10p)^β (its μ₀ = 0.01, β = 0.75); the
        // methods' own schedules (DANN's λ_p = 2 / (1 + exp(−10p)) − 1) belong to the methods.
        options.Optimizer.LearningRate = InitialLearningRate;
        options.Optimizer.LearningRateSchedule = LearningRateSchedules.Annealing(10, LearningRateAnnealingPower);
        if (Preset == Preset.Paper)
        {
            // The paper (§3.3, §4.1): SGD, momentum 0.9; inputs centred by the pixel mean over both domains, as the
            // authors' reference code does.
            options.Optimizer.Kind = OptimizerKind.Sgd;
            options.Optimizer.Momentum = 0.9;
            options.Input.Normalisation = NormalisationKind.MeanOverBothDomains;
        }
        else
        {
            options.Optimizer.Kind = OptimizerKind.Adam;
            options.Input.Normalisation = NormalisationKind.MeanStdOverBothDomains;
            options.BatchNormMode = BatchNormMode.Separate;
        }

        // Pretrained torchvision weights expect ImageNet's normalisation (their training input), not this data's.
        if (BackboneWeights is not null) options.Input.Normalisation = NormalisationKind.ImageNet;
        return options;
    }

    /// <summary>The resized-crop view of --source/--target-augmentation resized-crop: torchvision's crop and flip, colour jitter 0.4 (brightness, contrast, saturation) as ImageNet recipes use.</summary>
    public static ResizedCropAugmentation ResizedCropSettings { get; } = new() { Brightness = 0.4, Contrast = 0.4, Saturation = 0.4 };

    /// <summary>A short name for folders and tables: the method specification, file-name safe.</summary>
    public string Name => Method.Replace(':', '_').Replace(',', '_').Replace('=', '-');
}
