using System.CommandLine;
using DomainAdaptation.Benchmarks.Macro;

// DomainAdaptation macro benchmarks (the paper's MNIST DANN, random uint8 images in memory; see docs/performance.md).
// `--help` on the root or on a command lists the options with their defaults; a bad value is refused before anything runs.
var root = new RootCommand("""
    DomainAdaptation macro benchmarks (the paper's MNIST DANN, random uint8 images in memory; see docs/performance.md).
    --malloc tuned applies DomainAdaptation.Runtime.RuntimeTuning (mallopt); default leaves glibc's allocator alone.
    --size 32 (default): 3×32×32 images, the sample's default input; 28: the paper's 3×28×28. Thread counts are always
    applied through RuntimeTuning.
    """)
{
    Commands.StepCommand(),
    Commands.InferCommand(),
    Commands.RssCommand(),
    Commands.CompareCommand(),
    DataLoadCommand.Create(),
    JitterCommand.Create(),
    OnnxCommand.Create(),
    AugmentCommand.Create(),
};

ParseResult parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors) Console.Error.WriteLine($"error: {error.Message}");
    Console.Error.WriteLine("(--help lists the commands and their options)");
    return 2;
}

try
{
    return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (HarnessUsageException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 2;
}
