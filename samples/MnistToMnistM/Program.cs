using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using DomainAdaptation.Data;
using DomainAdaptation.Data.Datasets;
using DomainAdaptation.Data.Generation;
using DomainAdaptation.Evaluation;
using DomainAdaptation.Methods;
using DomainAdaptation.Runtime;
using DomainAdaptation.Training;
using DomainAdaptation.Training.Checkpoints;
using DomainAdaptation.Training.Precision;
using Microsoft.Extensions.Logging;
using MnistToMnistM;
using static TorchSharp.torch;

// MNIST → MNIST-M with the DomainAdaptation library: train, evaluate, compare, reverse-validate, select, generate-mnistm,
// generate-office-like (a synthetic Office-31-shaped set for --source/--target), export (ONNX) and predict (ONNX Runtime only).
// Run with no arguments to train the default method (SampleDefaults: chosen without target labels by docs/selection.md's
// study) with the modern preset; `--preset paper` reproduces the DANN paper (Ganin & Lempitsky 2015) instead.
// Exit codes (one error line each; the stack trace only with --verbose): 0 done, 1 unexpected error, 2 usage (a flag's
// value), 3 data (a file missing, unreadable or not what it should be), 4 checkpoint, 5 training diverged, 6 runtime
// (TorchSharp's native library), 130 stopped by Ctrl+C / SIGINT, 143 stopped by SIGTERM (both after a checkpoint).

// predict serves an exported model with ONNX Runtime alone: it is dispatched before anything loads TorchSharp.
if (args.Length > 0 && args[0] == PredictCommand.Name) return PredictCommand.Invoke(args);

string methodList = string.Join(", ", MethodCatalog.All.Select(m => m.Name));
var method = new Option<string>("--method")
{
    Description = $"The method: {methodList}; loss methods combine with '+' (e.g. dann+mcc), settings follow a colon (e.g. mcc:temperature=3,weight=0.5); docs/methods.md",
    DefaultValueFactory = _ => SampleDefaults.Method,
};
method.Validators.Add(r =>
{
    try
    {
        MethodCatalog.Normalize(r.GetValueOrDefault<string>() ?? "");
    }
    catch (ArgumentException ex)
    {
        r.AddError("--method: " + ExitCodes.Message(ex));
    }
});
var methods = new Option<string>("--methods") { Description = "The methods to compare, comma-separated (each as --method takes it)", DefaultValueFactory = _ => "source-only,dann,target-only" };
var preset = new Option<string>("--preset") { Description = "modern (batch norm + dropout, Adam) | paper (the paper's network, SGD and schedules; without --method: DANN, the paper's reproduction)", DefaultValueFactory = _ => SampleDefaults.Preset };
preset.AcceptOnlyFromAmong("paper", "modern");
var steps = new Option<long?>("--steps") { Description = "Training steps (default: 6000 modern, 12000 paper; --quick: 1000)" };
Positive(steps, "--steps", "a number of steps ≥ 1");
var batch = new Option<int>("--batch") { Description = "Images per domain per step", DefaultValueFactory = _ => 64 };
Positive(batch, "--batch", "a number of images per domain ≥ 1");
var seed = new Option<long>("--seed") { Description = "Seed for weights, sampling and dropout", DefaultValueFactory = _ => 1 };
var threads = new Option<int>("--threads") { Description = "Intra-op threads (default: the number of cores)", DefaultValueFactory = _ => Environment.ProcessorCount };
Positive(threads, "--threads", "a number of threads ≥ 1");
var data = new Option<string?>("--data") { Description = "Folder holding mnist/ and mnist_m/; it must exist and nothing is downloaded into it (default: DOMAINADAPTATION_DATA, the cache, then a verified download)" };
var output = new Option<string>("--out") { Description = "Where run folders go", DefaultValueFactory = _ => "runs" };
var resume = new Option<string?>("--resume") { Description = "A run folder to continue from its last checkpoint" };
var source = new Option<string?>("--source") { Description = "Train on another source: MNIST IDX folder, MNIST-M release (folder or .tar.gz), image folder (one sub-folder per class, optionally under train/ and test/) or a CSV list of path,label" };
var target = new Option<string?>("--target") { Description = "Train on another target (same formats as --source, or a flat folder of unlabelled images: target accuracy is then not reported)" };
var skipBadImages = new Option<bool>("--skip-bad-images") { Description = "Leave out --source/--target image files that cannot be read or decoded (listed in the log and the report) instead of stopping at the first" };
var stream = new Option<bool>("--stream") { Description = "Decode --source/--target folder and CSV images on the fly, a few batches ahead of training, instead of loading them into memory (for data larger than memory); the same results as loading them" };
var resize = new Option<string?>("--resize") { Description = "Resize --source/--target folder and CSV images to HxW (or N for N×N) at load, e.g. 224x224 or 256. Default: each set's most common size, the source brought to the target's" };
var testFraction = new Option<double?>("--test-fraction") { Description = "For an image folder or CSV list without train/ and test/: hold out this share of each class (seeded by --seed) for the test set, in (0, 1). Default: its images serve for both training and evaluation" };
var quick = new Option<bool>("--quick") { Description = "A short run (1000 steps) that checks the whole pipeline" };
var evalInterval = new Option<int?>("--eval-interval") { Description = "Evaluate on the test sets every N steps (default: steps / 12; --quick: steps / 4)" };
Positive(evalInterval, "--eval-interval", "a number of steps ≥ 1");
var checkpointInterval = new Option<int?>("--checkpoint-interval") { Description = "Checkpoint every N steps (default: every 10% of the run); also at least every 5 minutes of training, on Ctrl+C / SIGTERM and after the last step" };
Positive(checkpointInterval, "--checkpoint-interval", "a number of steps ≥ 1");
var verbose = new Option<bool>("--verbose") { Description = "Print the stack trace of an error", Recursive = true };
var size = new Option<int?>("--size") { Description = "MNIST → MNIST-M image size: 32 (MNIST padded 28 → 32; MNIST-M as released) or 28 (MNIST-M resized 32 → 28). Default: 32 for both presets (chosen by reverse validation, docs/results.md)" };
size.AcceptOnlyFromAmong("28", "32");
var binarize = new Option<bool>("--binarize-source") { Description = "Binarise MNIST (x > 0 → 255) as MNIST-M's digits are, as the authors' reference code does" };
var averageDecay = new Option<double>("--average-decay") { Description = "Evaluate and report an exponential moving average of the weights with this decay, e.g. 0.999 (0: the last step's weights)", DefaultValueFactory = _ => ExperimentSettings.DefaultWeightAverageDecay };

var domainWeight = new Option<double>("--domain-weight") { Description = "The domain-loss weight w: total = label loss + w · domain loss, the domain loss averaged over both halves of the batch (2: the JMLR paper's objective, the two domains' means summed)", DefaultValueFactory = _ => ExperimentSettings.DefaultDomainLossWeight };
var learningRate = new Option<double?>("--learning-rate") { Description = "The initial learning rate μ₀ of the annealing μ_p = μ₀ / (1 + 10p)^β (default: the preset's, 0.01 for paper, 0.001 for modern)" };
var annealingPower = new Option<double>("--annealing-power") { Description = "The power β of the learning-rate annealing μ_p = μ₀ / (1 + 10p)^β (the paper's: 0.75; smaller keeps the rate higher late in the run)", DefaultValueFactory = _ => ExperimentSettings.DefaultAnnealingPower };
var precision = new Option<string>("--precision") { Description = "float32 | bfloat16 (mixed precision: bfloat16 passes, float32 master weights; 1.3–1.5× faster per step on CPUs with AVX512-BF16 or AMX, emulated elsewhere; did not keep the paper preset's accuracy, docs/results.md)", DefaultValueFactory = _ => "float32" };
precision.AcceptOnlyFromAmong("float32", "bfloat16");
var sourceAugmentation = new Option<string>("--source-augmentation") { Description = "none | weak (a random shift) | strong (affine warp, colour, inversion, noise, cutout) | resized-crop (torchvision's random resized crop + horizontal flip + colour jitter 0.4, for natural images): augment the labelled source half at every step (seeded), so the classifier learns the invariances the target needs", DefaultValueFactory = _ => "none" };
sourceAugmentation.AcceptOnlyFromAmong("none", "weak", "strong", "resized-crop");
var targetAugmentation = new Option<string>("--target-augmentation") { Description = "none | weak | strong | resized-crop: augment the unlabelled target half at every step too (tllib's recipe for natural images: resized-crop on both)", DefaultValueFactory = _ => "none" };
targetAugmentation.AcceptOnlyFromAmong("none", "weak", "strong", "resized-crop");

var backbone = new Option<string?>("--backbone") { Description = "A torchvision backbone as the feature extractor (resnet18 | resnet34 | resnet50 | mobilenet_v2) with tllib's 256-wide bottleneck and domain classifier, instead of the preset's network; images of at least 32×32" };
backbone.AcceptOnlyFromAmong(ExperimentSettings.Backbones);
var backboneWeights = new Option<string?>("--backbone-weights") { Description = "Initial weights of the --backbone: a torchvision checkpoint (torch.save state dict, .pth) or .safetensors (e.g. ImageNet's); the backbone then learns at 0.1× the rate" };

var train = new Command("train", "Train one method and write a run folder (options, metrics.csv, checkpoint, report.md, plots)")
{
    method, preset, steps, batch, seed, threads, data, output, resume, source, target, quick, evalInterval, checkpointInterval, size, binarize, averageDecay, precision, domainWeight, learningRate, annealingPower, sourceAugmentation, targetAugmentation, backbone, backboneWeights, skipBadImages, testFraction, stream, resize,
};

var runOption = new Option<string>("--run") { Description = "A run folder written by train", Required = true };
var on = new Option<string?>("--on") { Description = "The data set to evaluate on: mnist-m (default), mnist, or a path (MNIST-M release layout or MNIST IDX folder)" };
var calibrateBn = new Option<bool>("--calibrate-bn") { Description = "First re-estimate the batch-norm statistics on the unlabelled training split of the evaluated data set (AdaBN; a path: on the evaluated images themselves)" };
var weightsOption = new Option<string>("--weights") { Description = "evaluated (default: the weight average when the run kept one, else the last step's weights, as the report shows) | trained (the last step's weights; reverse-validate: the recipe without the average)", DefaultValueFactory = _ => "evaluated" };
weightsOption.AcceptOnlyFromAmong("evaluated", "trained");
var evaluate = new Command("evaluate", "Evaluate a run's final checkpoint on the test split of a data set") { runOption, on, data, threads, calibrateBn, weightsOption };

var compare = new Command("compare", "Run several methods (default: source-only, DANN and target-only) with the same seed and budget, beside the paper's Table 1")
{
    methods, preset, steps, batch, seed, threads, data, output, quick, evalInterval, size, binarize, averageDecay, precision, domainWeight, learningRate, annealingPower, sourceAugmentation, targetAugmentation,
};

var runs = new Option<string[]>("--run") { Description = "Run folders written by train (repeat --run, or list several after one)", Required = true, AllowMultipleArgumentsPerToken = true };
var reverseSteps = new Option<long?>("--steps") { Description = "Reverse training steps (default: the run's own)" };
var reverseSeed = new Option<long?>("--reverse-seed") { Description = "Seed of the reverse model and its batches (default: the run's own); rerun a failed reverse training with another" };
var reverseValidate = new Command("reverse-validate", "Score runs without target labels (reverse validation, JMLR 2016 §5.1) and mark the one to select")
{
    runs, reverseSteps, reverseSeed, data, threads, weightsOption,
};

var validatorOption = new Option<string>("--validator") { Description = $"The validator that chooses: {string.Join(", ", DomainAdaptation.Selection.Validators.Validators.Names)}, reverse (reads reverse-validate's result), or all (every one, and the study figures from the MNIST-M test labels; default: {SelectRunner.DefaultValidator}, chosen by docs/selection.md's study)", DefaultValueFactory = _ => SelectRunner.DefaultValidator };
var everyCheckpoint = new Option<bool>("--checkpoints") { Description = "Score every checkpoint a run kept (default: each run's last)" };
var jsonOut = new Option<string?>("--json") { Description = "Also write the scores and the choice to this JSON file" };
var samplesOption = new Option<int>("--samples") { Description = "At most this many source-test and target-training images per score", DefaultValueFactory = _ => 4_000 };
Positive(samplesOption, "--samples", "a number of images ≥ 1");
var selectSeed = new Option<long>("--seed") { Description = "Seed of the validators that draw random numbers (DEV's split, ClassAMI's k-means)", DefaultValueFactory = _ => 0 };
var select = new Command("select", "Score runs (or every checkpoint) with label-free validators and choose one, without target labels")
{
    runs, validatorOption, everyCheckpoint, jsonOut, samplesOption, selectSeed, data, threads,
};

var bsds = new Option<string>("--bsds500") { Description = "BSDS500 train images: a folder of JPEGs or BSR_bsds500.tgz (default: <data>/bsds500/train)" };
var genOut = new Option<string>("--out") { Description = "Output folder (the authors' release layout)", DefaultValueFactory = _ => "mnist_m_generated" };
var genSeed = new Option<int>("--seed") { Description = "Seed of the patch positions", DefaultValueFactory = _ => 42 };
var split = new Option<string>("--split") { Description = "train | test | both", DefaultValueFactory = _ => "both" };
split.AcceptOnlyFromAmong("train", "test", "both");
var generate = new Command("generate-mnistm", "Generate MNIST-M from MNIST and BSDS500 with the paper's recipe") { data, bsds, genOut, genSeed, split };
var officeOut = new Option<string>("--out") { Description = "Output folder: amazon/<class>/*.jpg and webcam/<class>/*.jpg", DefaultValueFactory = _ => "office31-like" };
var officeSeed = new Option<int>("--seed") { Description = "Seed of the drawings", DefaultValueFactory = _ => 1 };
var generateOffice = new Command("generate-office-like", "Write a synthetic data set in Office-31's shape (31 class folders of JPEGs; amazon: 2,817 product-like shots on white, webcam: 795 dim, blurred shots on BSDS500 photos) for trying --source/--target") { data, bsds, officeOut, officeSeed };

var exportOut = new Option<string>("--out") { Description = "The ONNX file to write", DefaultValueFactory = _ => "model.onnx" };
var exportSoftmax = new Option<bool>("--softmax") { Description = "End the graph in a softmax (output 'probabilities' instead of 'logits')" };
var export = new Command("export", "Export a run's classifier (feature extractor → bottleneck → label classifier) to ONNX (opset 17, dynamic batch) and check it in ONNX Runtime on the test images")
{
    runOption, exportOut, exportSoftmax, weightsOption, data, threads,
};

var root = new RootCommand($"MNIST → MNIST-M domain adaptation with DomainAdaptation ({MethodCatalog.All.Count} methods behind one loop: {methodList}). Without a command: train {SampleDefaults.Method} with the modern preset (chosen without target labels: docs/selection.md); --preset paper: DANN as in the paper. Exit codes: 0 done, 1 unexpected, 2 usage, 3 data, 4 checkpoint, 5 diverged, 6 runtime, 130/143 stopped by SIGINT/SIGTERM after a checkpoint.")
{
    train, evaluate, compare, reverseValidate, select, generate, generateOffice, export, PredictCommand.Create(), verbose,
};
foreach (Option o in train.Options) root.Options.Add(o);

using ILoggerFactory loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; }).SetMinimumLevel(LogLevel.Warning));
TextWriter console = Console.Out;

int stopSignal = 0;   // 130 after SIGINT (Ctrl+C), 143 after SIGTERM; 0: running
bool verboseErrors = false;   // --verbose, read from the parse result before the command runs

async Task<int> Guard(Func<CancellationToken, Task<int>> body, CancellationToken ct)
{
    try
    {
        return await body(ct);
    }
    catch (TrainingCancelledException ex)
    {
        console.WriteLine();
        string where = ex.Checkpoint is { } c ? Path.GetDirectoryName(Path.GetDirectoryName(c.Path)) ?? c.Path : "";
        console.WriteLine(ex.Checkpoint is not null
            ? FormattableString.Invariant($"stopped at step {ex.StepsCompleted} (checkpoint written); continue with: dotnet run --project samples/MnistToMnistM -c Release -- train --resume {where}")
            : FormattableString.Invariant($"stopped at step {ex.StepsCompleted}: {ex.Message}"));
        return stopSignal != 0 ? stopSignal : 130;
    }
    catch (OperationCanceledException) when (stopSignal != 0)
    {
        console.WriteLine();
        console.WriteLine("stopped; nothing to continue (no training step had run; a generate command keeps the images it wrote, with no label file).");
        return stopSignal;
    }
    catch (Exception ex)
    {
        console.WriteLine();
        int code = ExitCodes.Of(ex);
        Console.Error.WriteLine(code == ExitCodes.Unexpected ? $"error: unexpected {ex.GetType().Name}: {ExitCodes.Message(ex)}" : $"error: {ExitCodes.Message(ex)}");
        if (verboseErrors) Console.Error.WriteLine(ex);
        else if (code == ExitCodes.Unexpected) Console.Error.WriteLine("(run again with --verbose for the stack trace)");
        return code;
    }
}

ExperimentSettings Settings(ParseResult p, string m, bool isQuick)
{
    Preset chosen = ParsePreset(p.GetValue(preset)!);
    long s = p.GetValue(steps) ?? (isQuick ? ExperimentSettings.QuickSteps : SampleDefaults.Steps(chosen));
    int interval = p.GetValue(evalInterval) ?? (int)Math.Max(1, s / (isQuick ? 4 : 12));
    double decay = p.GetValue(averageDecay);
    if (!double.IsFinite(decay) || decay is < 0 or >= 1) throw new ArgumentException(FormattableString.Invariant($"--average-decay must be in [0, 1) (0: no weight average), but got {decay}."));
    TrainingPrecision arithmetic = p.GetValue(precision) == "bfloat16" ? TrainingPrecision.BFloat16Mixed : ExperimentSettings.DefaultPrecision;
    double w = p.GetValue(domainWeight);
    if (!double.IsFinite(w) || w < 0) throw new ArgumentException(FormattableString.Invariant($"--domain-weight must be a finite number ≥ 0, but got {w}."));
    double? rate = p.GetValue(learningRate);
    if (rate is double r && (!double.IsFinite(r) || r <= 0)) throw new ArgumentException(FormattableString.Invariant($"--learning-rate must be a finite number > 0, but got {r}."));
    double beta = p.GetValue(annealingPower);
    if (!double.IsFinite(beta) || beta < 0) throw new ArgumentException(FormattableString.Invariant($"--annealing-power must be a finite number ≥ 0 (0: a constant learning rate), but got {beta}."));

    return new ExperimentSettings(MethodCatalog.Normalize(m), chosen, s, p.GetValue(batch), p.GetValue(seed), p.GetValue(threads),
        p.GetValue(source), p.GetValue(target), interval, p.GetValue(size) ?? ExperimentSettings.DefaultImageSize, p.GetValue(binarize), decay, arithmetic, w, rate ?? ExperimentSettings.DefaultLearningRate(chosen), beta,
        Augmentation(p.GetValue(sourceAugmentation)!), p.GetValue(checkpointInterval),
        p.GetValue(backbone), BackboneWeightsPath(p), p.GetValue(skipBadImages), TestFraction(p), Augmentation(p.GetValue(targetAugmentation) ?? "none"),
        FolderOnly(p, p.GetValue(stream), "--stream"), FolderOnly(p, ParseResize(p.GetValue(resize)), "--resize"));
}

T FolderOnly<T>(ParseResult p, T value, string name)
{
    if (!EqualityComparer<T>.Default.Equals(value, default) && p.GetValue(source) is null && p.GetValue(target) is null)
    {
        throw new ArgumentException($"{name} applies to --source/--target folders and lists; the MNIST → MNIST-M problem is read from its own files.");
    }

    return value;
}

static string? ParseResize(string? value)
{
    if (value is null) return null;
    string[] parts = value.Split('x', 'X', '×');
    if (parts.Length is 1 or 2 && parts.All(t => int.TryParse(t, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int v) && v is >= 1 and <= 8192))
    {
        return parts.Length == 1 ? $"{parts[0]}x{parts[0]}" : $"{parts[0]}x{parts[1]}";
    }

    throw new ArgumentException($"--resize takes HxW (e.g. 224x224) or N (N×N), with sizes from 1 to 8192, but got '{value}'.");
}

static DomainAdaptation.Data.Augmentation.AugmentationKind Augmentation(string value) =>
    Enum.Parse<DomainAdaptation.Data.Augmentation.AugmentationKind>(value.Replace("-", "", StringComparison.Ordinal), ignoreCase: true);

double? TestFraction(ParseResult p)
{
    double? fraction = p.GetValue(testFraction);
    if (fraction is double f && !(f > 0 && f < 1)) throw new ArgumentException(FormattableString.Invariant($"--test-fraction must lie strictly between 0 and 1, but got {f}."));
    if (fraction is not null && p.GetValue(source) is null && p.GetValue(target) is null) throw new ArgumentException("--test-fraction applies to --source/--target folders and lists; the MNIST → MNIST-M problem has its own test sets.");
    return fraction;
}

string? BackboneWeightsPath(ParseResult p)
{
    string? path = p.GetValue(backboneWeights);
    if (path is null) return null;
    if (p.GetValue(backbone) is null) throw new ArgumentException("--backbone-weights needs --backbone (the architecture the weights are for).");
    string full = Path.GetFullPath(path);
    return File.Exists(full) ? full : throw new FileNotFoundException($"--backbone-weights: the file '{full}' does not exist.", full);
}

void Tune(int threadCount)
{
    TorchRuntime.EnsureInitialized();
    // The library's runtime tuning: intra-op threads, and on glibc the malloc thresholds (docs/performance.md).
    RuntimeTuning.Apply(new RuntimeTuningOptions { IntraOpThreads = threadCount > 0 ? threadCount : null }, loggers.CreateLogger("runtime"));
}

async Task<Problem> LoadProblem(ExperimentSettings s, string? dataOption, CancellationToken ct)
{
    var clock = Stopwatch.StartNew();
    Problem problem;
    if (s.SourcePath is not null || s.TargetPath is not null)
    {
        if (s.TargetPath is null) throw new ArgumentException("--source needs --target (the unlabelled domain to adapt to); --target alone keeps MNIST as the source.");
        // --target alone: the source stays MNIST (its IDX files from the data folder), brought to the target's shape.
        string sourcePath = s.SourcePath ?? Path.Combine(await DataLoading.ResolveDigitsRootAsync(dataOption, loggers, console, ct), DigitDatasets.MnistFolder);
        problem = DataLoading.LoadPair(sourcePath, s.TargetPath, s.FolderLoad, loggers.CreateLogger("data"), ct);
    }
    else
    {
        string dataRoot = await DataLoading.ResolveDigitsRootAsync(dataOption, loggers, console, ct);
        problem = DataLoading.LoadDigits(dataRoot, s, loggers.CreateLogger("data"), ct);
    }

    console.WriteLine(FormattableString.Invariant(
        $"{problem.Name}: {problem.Train.Source.Count:N0} source + {problem.Train.Target.Count:N0} target training images, {problem.Train.SampleShape}, {problem.Train.ClassCount} classes; test {problem.SourceTest.Count:N0} + {problem.TargetTest.Count:N0} (loaded in {clock.Elapsed.TotalSeconds:F1} s)"));
    return problem;
}

async Task<int> Train(ParseResult p, CancellationToken ct)
{
    var wall = Stopwatch.StartNew();
    string? resumeFolder = p.GetValue(resume);
    ExperimentSettings s;
    string folder;
    if (resumeFolder is not null)
    {
        if (!Directory.Exists(resumeFolder)) throw new DirectoryNotFoundException($"--resume: the run folder '{resumeFolder}' does not exist.");
        (s, _, _) = RunInfo.Read(resumeFolder);
        folder = resumeFolder;
    }
    else
    {
        // Without --method, --preset paper is the paper's reproduction: DANN.
        string m = p.GetResult(method) is { Implicit: false } || ParsePreset(p.GetValue(preset)!) != Preset.Paper ? p.GetValue(method)! : "dann";
        s = Settings(p, m, p.GetValue(quick));
        folder = RunFolderName(p.GetValue(output)!, s.Name + "-" + s.Preset.ToString().ToLowerInvariant());
    }

    // Every setting is checked by the library's validators before any data is read.
    ValidateEarly(s);
    try
    {
        Tune(s.Threads);
        using Problem problem = await LoadProblem(s, p.GetValue(data), ct);
        RunSummary summary = TrainRunner.Run(s, problem, folder, resumeFolder is not null, console, loggers, wall, ct);
        PrintTable([summary]);
        console.WriteLine($"Run folder: {folder} (report.md, metrics.csv, curves.png, schedules.png, embedding.png, {TrainRunner.CheckpointFolder}/)");
        return 0;
    }
    catch (Exception ex) when (resumeFolder is null && ex is not TrainingCancelledException)
    {
        RunFolders.CleanUpAfterFailure(folder, ex);
        throw;
    }
}

void ValidateEarly(ExperimentSettings s)
{
    var result = new AdaptationTrainerOptionsValidator().Validate(null, s.TrainerOptions(Path.Combine(Path.GetTempPath(), "unused")));
    if (result.Failed) throw new ArgumentException(ExitCodes.FlagNames(string.Join(" ", result.Failures)));
}

async Task<int> Compare(ParseResult p, CancellationToken ct)
{
    var wall = Stopwatch.StartNew();
    bool isQuick = p.GetValue(quick);
    string[] specifications = [.. p.GetValue(methods)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(MethodCatalog.Normalize)];
    if (specifications.Length == 0) throw new ArgumentException("--methods names no method.");
    ExperimentSettings first = Settings(p, specifications[0], isQuick);
    foreach (string m in specifications) ValidateEarly(first with { Method = m });
    string folder = RunFolderName(p.GetValue(output)!, "compare-" + first.Preset.ToString().ToLowerInvariant());
    Tune(first.Threads);
    using Problem problem = await LoadProblem(first, p.GetValue(data), ct);
    var summaries = new List<RunSummary>();
    foreach (string m in specifications)
    {
        var runWall = Stopwatch.StartNew();
        ExperimentSettings s = first with { Method = m };
        summaries.Add(TrainRunner.Run(s, problem, Path.Combine(folder, s.Name), resume: false, console, loggers, runWall, ct));
    }

    Plots.Embeddings(Path.Combine(folder, "embeddings.png"),
        summaries.Where(x => x.Settings.Method != "target-only")
                 .Select(x => ($"{x.Settings.Name} (target acc {x.TargetAccuracy:F3})", x.SourceEmbedding, x.TargetEmbedding)).ToList());
    AtomicFile.WriteAllText(Path.Combine(folder, TrainRunner.ReportFile), CompareReport(summaries, problem.Name, wall.Elapsed));
    PrintTable(summaries);
    console.WriteLine($"Compare folder: {folder} (report.md, embeddings.png, one run folder per method)");
    return 0;
}

async Task<int> Evaluate(ParseResult p, CancellationToken ct)
{
    string runFolder = p.GetValue(runOption)!;
    var (s, classes, shape) = RunInfo.Read(runFolder);
    Tune(p.GetValue(threads));
    string? latest = Checkpoint.FindLatest(Path.Combine(runFolder, TrainRunner.CheckpointFolder))
        ?? throw new FileNotFoundException($"'{runFolder}' has no checkpoint in {TrainRunner.CheckpointFolder}/.");
    using var model = s.BuildModel(new SampleShape(shape), classes);
    CheckpointWeights weights = ParseWeights(p.GetValue(weightsOption)!);
    CheckpointInfo info = Checkpoint.LoadModel(latest, model, weights);
    string which = p.GetValue(on) ?? "mnist-m";
    SampleSet set;
    SampleSet? calibration = null;
    bool calibrate = p.GetValue(calibrateBn);
    if (which is "mnist-m" or "mnist")
    {
        string dataRoot = await DataLoading.ResolveDigitsRootAsync(p.GetValue(data), loggers, console, ct);
        using Problem digits = DataLoading.LoadDigits(dataRoot, s, loggers.CreateLogger("data"), ct);
        SampleSet chosen = which == "mnist" ? digits.SourceTest : digits.TargetTest;
        set = chosen.Copy();
        if (calibrate)
        {
            SampleSet train = which == "mnist" ? digits.Train.Source : digits.Train.Target;
            calibration = train.WithoutLabels();
        }
    }
    else
    {
        set = DataLoading.LoadTestSet(which, s.FolderLoad, loggers.CreateLogger("data"), ct);
        if (set.Labels is null)
        {
            set.Dispose();
            throw new InvalidDataException($"'{which}' holds unlabelled images (a flat folder); accuracy needs labels. Evaluate on a labelled copy (class sub-folders or a path,label CSV); the run's report has the label-free scores.");
        }
    }

    using (set)
    using (calibration)
    {
        if (!set.Shape.Equals(new SampleShape(shape)))
        {
            throw new ArgumentException($"The run's model takes {new SampleShape(shape)} samples but '{which}' has {set.Shape}.");
        }

        using var converter = new DomainAdaptation.Data.Batching.SampleConverter(ScalarType.Float32, CPU, info.Normalisation);
        var evaluator = new Evaluator(converter);
        if (calibrate)
        {
            SampleSet calibrationSet = calibration ?? set;
            int layers = BatchNormCalibration.Calibrate(model, calibrationSet, converter, cancellationToken: ct);
            console.WriteLine(FormattableString.Invariant($"Batch-norm statistics of {layers} layer(s) re-estimated on {calibrationSet.Count:N0} unlabelled images of '{calibrationSet.Name}' (AdaBN)."));
        }

        DomainEvaluation result = evaluator.EvaluateDomain(model, set, set.Labels, DomainRole.Target, classes, 0, ct);
        string loadedWeights = info.WeightsFor(weights) == CheckpointWeights.Averaged ? "weight average" : "last step's weights";
        console.WriteLine(FormattableString.Invariant($"{set.Name}: accuracy {result.Accuracy:F4} on {result.SampleCount:N0} images (checkpoint step {info.Step}, {Path.GetFileName(latest)}, {loadedWeights})"));
        if (result.Confusion is { } confusion)
        {
            console.WriteLine("confusion matrix (rows: truth, columns: prediction):");
            console.WriteLine(confusion.ToString());
        }
    }

    return 0;
}

async Task<int> Export(ParseResult p, CancellationToken ct)
{
    string runFolder = p.GetValue(runOption)!;
    var (s, _, shape) = RunInfo.Read(runFolder);
    Tune(p.GetValue(threads));
    // The check runs on the run's own test images: MNIST-M's for the digit problems, the target's for --source/--target runs.
    SampleSet check;
    if (s.SourcePath is null && s.TargetPath is null)
    {
        string dataRoot = await DataLoading.ResolveDigitsRootAsync(p.GetValue(data), loggers, console, ct);
        using Problem digits = DataLoading.LoadDigits(dataRoot, s, loggers.CreateLogger("data"), ct);
        check = digits.TargetTest.Copy();
    }
    else
    {
        check = DataLoading.LoadTestSet(s.TargetPath ?? s.SourcePath!, s.FolderLoad, loggers.CreateLogger("data"), ct);
    }

    using (check)
    {
        if (!check.Shape.Equals(new SampleShape(shape))) throw new ArgumentException($"The run's model takes {new SampleShape(shape)} samples but its test set '{check.Name}' has {check.Shape}.");
        return ExportRunner.Run(runFolder, p.GetValue(exportOut)!, p.GetValue(exportSoftmax), ParseWeights(p.GetValue(weightsOption)!), check, console);
    }
}

async Task<int> ReverseValidate(ParseResult p, CancellationToken ct)
{
    Tune(p.GetValue(threads));
    var summaries = new List<ReverseSummary>();
    string? dataRoot = null;
    CheckpointWeights weights = ParseWeights(p.GetValue(weightsOption)!);
    foreach (string runFolder in p.GetValue(runs)!)
    {
        if (ReverseValidationRunner.TryRead(runFolder, p.GetValue(reverseSeed), weights) is { } done && (p.GetValue(reverseSteps) is null || p.GetValue(reverseSteps) == done.ReverseSteps))
        {
            console.WriteLine($"{runFolder}: reverse validation (seed {done.ReverseSeed}) already done; read from its {ReverseValidationRunner.ResultFile}.");
            summaries.Add(done);
            continue;
        }

        var (s, classes, _) = RunInfo.Read(runFolder);
        if (s.SourcePath is not null || s.TargetPath is not null)
        {
            throw new ArgumentException($"'{runFolder}' was trained with --source/--target; reverse-validate scores MNIST → MNIST-M runs (use the library's ReverseValidation for other pairs).");
        }

        dataRoot ??= await DataLoading.ResolveDigitsRootAsync(p.GetValue(data), loggers, console, ct);
        using Problem problem = DataLoading.LoadDigits(dataRoot, s, loggers.CreateLogger("data"), ct);
        summaries.Add(ReverseValidationRunner.Run(runFolder, problem, s, classes, p.GetValue(reverseSteps), p.GetValue(reverseSeed), weights, console, loggers, ct));
    }

    console.WriteLine();
    console.WriteLine(ReverseValidationRunner.Table(summaries));
    return 0;
}

async Task<int> Select(ParseResult p, CancellationToken ct)
{
    Tune(p.GetValue(threads));
    string chooser = p.GetValue(validatorOption)!.Trim().ToLowerInvariant();
    bool all = chooser == "all";
    string[] folders = p.GetValue(runs)!;
    List<string> names;
    if (all)
    {
        names = [.. DomainAdaptation.Selection.Validators.Validators.Names];
        if (folders.All(SelectRunner.HasReverseResult)) names.Add("reverse");
        else console.WriteLine("reverse: left out (not every run has a reverse-validate result).");
        chooser = SelectRunner.DefaultValidator;
    }
    else
    {
        if (chooser != "reverse") _ = DomainAdaptation.Selection.Validators.Validators.Create(chooser);
        names = [chooser];
    }

    if (p.GetValue(samplesOption) < 10) throw new ArgumentException($"--samples must be at least 10, but is {p.GetValue(samplesOption)}.");
    string dataRoot = await DataLoading.ResolveDigitsRootAsync(p.GetValue(data), loggers, console, ct);
    List<Candidate> candidates = SelectRunner.Score(folders, names, p.GetValue(everyCheckpoint), all, dataRoot, p.GetValue(samplesOption), p.GetValue(selectSeed), console, loggers, ct);
    if (candidates.Count == 0) throw new ArgumentException("No candidates: the runs hold no checkpoints.");
    console.WriteLine();
    console.WriteLine(SelectRunner.Table(candidates, names, chooser));
    Candidate chosen = candidates[SelectRunner.Choose(candidates, chooser)];
    console.WriteLine($"Chosen by {chooser} (no target label used): {chosen.Run}, step {chosen.Step} ({chosen.Checkpoint}).");
    if (p.GetValue(jsonOut) is { } json)
    {
        string full = Path.GetFullPath(json);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temporary = full + ".tmp";
        File.WriteAllText(temporary, SelectRunner.Json(candidates, names, chooser));
        File.Move(temporary, full, overwrite: true);
        console.WriteLine($"Scores written to {full}.");
    }

    return 0;
}

async Task<int> Generate(ParseResult p, CancellationToken ct)
{
    string dataRoot = await DataLoading.ResolveDigitsRootAsync(p.GetValue(data), loggers, console, ct);
    string bsdsPath = p.GetValue(bsds) ?? Path.Combine(dataRoot, "bsds500", "train");
    var backgrounds = Bsds500Images.Load(bsdsPath, loggers.CreateLogger("bsds500"), ct);
    var generator = new MnistMGenerator(new MnistMGeneratorOptions { Seed = p.GetValue(genSeed) }, loggers.CreateLogger("generator"));
    string outFolder = p.GetValue(genOut)!;
    string which = p.GetValue(split)!;
    foreach (var (dataSplit, genSplit) in new[] { (DataSplit.Train, MnistMSplit.Train), (DataSplit.Test, MnistMSplit.Test) })
    {
        if (which != "both" && which != dataSplit.ToString().ToLowerInvariant()) continue;
        using SampleSet digits = DigitDatasets.LoadMnist(dataRoot, dataSplit, DataLoading.ResolvedDataOptions);
        var clock = Stopwatch.StartNew();
        var counter = new CountProgress(console);
        var progress = new SyncProgress<MnistMGenerationProgress>(g => counter.Report(genSplit.ToString(), g.Completed, g.Total));
        var result = await generator.WriteAsync(digits, backgrounds, outFolder, genSplit, progress, ct);
        counter.Done(FormattableString.Invariant($"{genSplit}: {digits.Count:N0} images written to {outFolder} in {clock.Elapsed.TotalSeconds:F1} s (seed {generator.Seed})"));
        _ = result;
    }

    return 0;
}

async Task<int> GenerateOffice(ParseResult p, CancellationToken ct)
{
    string bsdsFolder = p.GetValue(bsds) ?? Path.Combine(await DataLoading.ResolveDigitsRootAsync(p.GetValue(data), loggers, console, ct), "bsds500", "train");
    string[] backgrounds = Directory.Exists(bsdsFolder)
        ? Directory.GetFiles(bsdsFolder, "*.jpg").Order(StringComparer.Ordinal).ToArray()
        : throw new DirectoryNotFoundException($"--bsds500: the folder '{bsdsFolder}' does not exist (generate-office-like needs a folder of BSDS500 JPEGs for the webcam backgrounds).");
    if (backgrounds.Length == 0) throw new InvalidDataException($"--bsds500: '{bsdsFolder}' holds no .jpg files.");
    string outFolder = p.GetValue(officeOut)!;
    var clock = Stopwatch.StartNew();
    var counter = new CountProgress(console);
    var written = OfficeLikeGenerator.Write(outFolder, backgrounds, p.GetValue(officeSeed), (d, n) => counter.Report(d.Name, n, d.Count), ct);
    counter.Done(FormattableString.Invariant($"{string.Join(", ", written.Select(w => $"{w.Domain.Name} {w.Files:N0} images ({w.Domain.Size}×{w.Domain.Size})"))} in 31 class folders written to {outFolder} in {clock.Elapsed.TotalSeconds:F1} s (seed {p.GetValue(officeSeed)}; synthetic: drawn shapes, not Office-31's photos)"));
    return 0;
}

generateOffice.SetAction((p, ct) => Guard(c => GenerateOffice(p, c), ct));
export.SetAction((p, ct) => Guard(c => Export(p, c), ct));
train.SetAction((p, ct) => Guard(c => Train(p, c), ct));
root.SetAction((p, ct) => Guard(c => Train(p, c), ct));
compare.SetAction((p, ct) => Guard(c => Compare(p, c), ct));
evaluate.SetAction((p, ct) => Guard(c => Evaluate(p, c), ct));
reverseValidate.SetAction((p, ct) => Guard(c => ReverseValidate(p, c), ct));
select.SetAction((p, ct) => Guard(c => Select(p, c), ct));
generate.SetAction((p, ct) => Guard(c => Generate(p, c), ct));

// Ctrl+C (SIGINT) and SIGTERM cancel the command's token: training writes a checkpoint at the current step and stops
// (exit 130 / 143). A second signal aborts at once. The handlers are ours, not System.CommandLine's, which would end
// the process two seconds after the first signal, possibly in the middle of writing the checkpoint.
using var stop = new CancellationTokenSource();
void OnSignal(PosixSignalContext context, int code)
{
    context.Cancel = true;
    if (Interlocked.CompareExchange(ref stopSignal, code, 0) != 0)
    {
        Console.Error.WriteLine("aborted (second signal): no checkpoint of the current step.");
        Environment.Exit(code);
    }

    Console.Error.WriteLine($"{(code == 130 ? "Ctrl+C" : "SIGTERM")}: stopping (training stops after this step with a checkpoint; a second one aborts at once)…");
    stop.Cancel();
}

using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => OnSignal(c, 130));
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => OnSignal(c, 143));
ParseResult parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (string e in parsed.Errors.Select(e => e.Message).Distinct()) Console.Error.WriteLine("error: " + e);
    Console.Error.WriteLine("(dotnet run --project samples/MnistToMnistM -- --help lists the commands and options)");
    return ExitCodes.Usage;
}

verboseErrors = parsed.GetValue(verbose);
return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, stop.Token);

static void Positive<T>(Option<T> option, string flag, string expected)
{
    option.Validators.Add(r =>
    {
        object? value = r.GetValueOrDefault<T>();
        if (value is not null && Convert.ToInt64(value, CultureInfo.InvariantCulture) < 1)
        {
            r.AddError(FormattableString.Invariant($"{flag} must be {expected}, but got {value}."));
        }
    });
}

void PrintTable(IReadOnlyList<RunSummary> summaries)
{
    console.WriteLine();
    bool paper = TrainRunner.ShowsPaper(summaries);
    console.WriteLine(TrainRunner.TableHeader(paper));
    foreach (RunSummary s in summaries) console.WriteLine(TrainRunner.Row(s, paper));
    console.WriteLine();
}

static string CompareReport(IReadOnlyList<RunSummary> summaries, string data, TimeSpan wall)
{
    var b = new StringBuilder();
    RunSummary first = summaries[0];
    b.AppendLine(CultureInfo.InvariantCulture, $"# compare — {data}");
    b.AppendLine();
    b.AppendLine(CultureInfo.InvariantCulture, $"Preset `{first.Settings.Preset}`, {first.Steps} steps of {first.Settings.BatchSize} + {first.Settings.BatchSize} images each, seed {first.Settings.Seed}; total wall time {wall.TotalSeconds:F0} s.");
    if (first.Settings.InputDescription is { } input) b.AppendLine(input + ".");
    b.AppendLine("Each checkpoint is its run's last step; target labels are used only for this table (and by target-only training, the upper bound).");
    b.AppendLine();
    bool paper = TrainRunner.ShowsPaper(summaries);
    b.AppendLine(TrainRunner.TableHeader(paper));
    foreach (RunSummary s in summaries) b.AppendLine(TrainRunner.Row(s, paper));
    b.AppendLine();
    b.AppendLine("![feature embeddings of each method](embeddings.png)");
    return b.ToString();
}

static Preset ParsePreset(string value) => value == "modern" ? Preset.Modern : Preset.Paper;

static CheckpointWeights ParseWeights(string value) => value == "trained" ? CheckpointWeights.Trained : CheckpointWeights.Evaluated;

// The run folder's path; the folder is created when training starts (TrainRunner), so that a run that fails before
// leaves nothing behind.
static string RunFolderName(string parent, string name) =>
    Path.Combine(parent, DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + "-" + name);
