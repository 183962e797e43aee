using DomainAdaptation.Benchmarks.Macro;

const string Usage = """
    DomainAdaptation macro benchmarks (the paper's MNIST DANN, random uint8 images in memory; see docs/performance.md)

    usage: DomainAdaptation.Benchmarks.Macro <command> [--option value ...]

      step     median/p90 ms per training step (64 + 64 images)
               --threads N (cores) --steps 300 --warmup 50 --driver trainer|hand --json FILE
               --precision float32|bfloat16 (trainer only: AdaptationTrainerOptions.Precision Full or BFloat16Mixed)
               (trainer: AdaptationTrainer runs the steps; hand: the hand-written step mirroring dann_step.py)
      infer    inference images/s
               --threads N --batch 1024 --batches 30 --warmup 3 --json FILE
      rss      resident set over many steps, and its flatness
               --threads N --steps 5000 --sample-every 100 --flat-from 500 --driver trainer|hand
               --gen0-every N (trainer: its GarbageCollectionInterval, default 100; hand: default 0) --json FILE
      load     MNIST -> MNIST-M into memory as the sample loads it: cold (empty cache) and cached, in seconds
               --threads N --repeat 2 --data FOLDER (DOMAINADAPTATION_DATA, else ../shared/data)
      jitter   the machine's own timing noise: a fixed arithmetic loop (no TorchSharp) timed repeatedly
               --threads 1|2 (1) --steps 300 --warmup 20 --ms 30 (length of one repetition) --json FILE
      onnx     ONNX Runtime against TorchSharp eval on the same exported model: images/s and ms per batch at batch 1 and 256,
               interleaved rounds in one process --threads N --preset modern|paper --rounds 5 --ms 1500 (per round) --json FILE
      (step, infer and rss also take --malloc tuned|default and --channels-last true|false;
       step, infer, rss, load and compare take --size 32|28, the images' height and width, default 32)
      compare  step, infer and rss with glibc's default malloc and with RuntimeTuning, each in a fresh child process
               --threads N --repeat 3 --steps 300 --warmup 50 --rss-steps 5000 (0 skips) --batches 30 --channels-last true
               --json benchmarks/results/macro-compare.json

    --malloc tuned applies DomainAdaptation.Runtime.RuntimeTuning (mallopt); default leaves glibc's allocator alone.
    --channels-last false builds the preset without its channels_last layer (ModelPresets.Mnist(channelsLast: false)).
    --size 32 (default): 3×32×32 images, the sample's default input (MNIST padded to 32, MNIST-M as released); 28: the paper's 3×28×28.
    Thread counts are always applied through RuntimeTuning.
    """;

try
{
    HarnessArguments parsed = HarnessArguments.Parse(args);
    switch (parsed.Command)
    {
        case "step": Commands.Step(parsed); break;
        case "infer": Commands.Infer(parsed); break;
        case "rss": Commands.Rss(parsed); break;
        case "compare": Commands.Compare(parsed); break;
        case "load": DataLoadCommand.Run(parsed); break;
        case "jitter": JitterCommand.Run(parsed); break;
        case "onnx": OnnxCommand.Run(parsed); break;
        case "help" or "--help" or "-h": Console.WriteLine(Usage); break;
        default: throw new HarnessUsageException($"unknown command '{parsed.Command}'");
    }

    return 0;
}
catch (HarnessUsageException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    Console.Error.WriteLine(Usage);
    return 2;
}
