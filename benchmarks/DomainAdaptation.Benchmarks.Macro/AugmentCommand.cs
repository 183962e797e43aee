using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using DomainAdaptation.Data;
using DomainAdaptation.Data.Augmentation;
using DomainAdaptation.Data.Batching;
using DomainAdaptation.Data.Datasets;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Benchmarks.Macro;

/// <summary>
/// Images per second of the pretrained-backbone input pipeline: a folder of JPEGs decoded and resized once to
/// <c>--size</c>² (<see cref="ImageFolder.LoadUnlabelled"/>, in parallel), then every epoch shuffled batches converted
/// to float32 with ImageNet's normalisation (<see cref="SampleConverter"/>) and augmented with torchvision's random
/// resized crop, horizontal flip and colour jitter 0.4 (<see cref="BatchAugmentation.ResizedCrop"/>), one dispose scope
/// per batch — what the trainer does each step before the forward pass. benchmarks/data/torchvision_loader.py times
/// torchvision's DataLoader on the same folder (benchmarks/data/run.sh runs both side by side).
/// With <c>--stream</c> nothing is decoded up front: the folder is opened streamed (<see cref="ImageFolderOptions.Stream"/>)
/// and the trainer's own batch path runs — <see cref="BatchAssembler.Assemble(DomainBatchSampler, long, bool)"/> with two
/// steps read ahead, half of each batch from each domain (the folder serves as both), every image decoded and resized
/// again each time it is drawn, as torchvision's workers do.
/// </summary>
internal static class AugmentCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The <c>augment</c> command.</summary>
    public static Command Create()
    {
        var threads = HarnessOptions.Threads(Environment.ProcessorCount);
        var size = HarnessOptions.Int("--size", 224, "The side of the square images the network sees");
        var batch = HarnessOptions.Int("--batch", 32, "Images per batch");
        var epochs = HarnessOptions.Int("--epochs", 3, "Passes over the images");
        var images = new Option<string?>("--images") { Description = "A folder of JPEG/PNG images (default: <data>/bsds500/train, BSDS500's 200 training photos)" };
        var stream = new Option<bool>("--stream") { Description = "Decode on the fly through the trainer's batch path with read-ahead (ImageFolderOptions.Stream) instead of once up front" };
        var command = new Command("augment", "Decode + resize once (or on the fly with --stream), then per-step ImageNet normalisation and random resized crop + flip + jitter: images/s") { threads, size, batch, epochs, images, stream };
        command.SetAction(p =>
        {
            string folder = p.GetValue(images) ?? Path.Combine(Environment.GetEnvironmentVariable("DOMAINADAPTATION_DATA") ?? Path.Combine("..", "shared", "data"), "bsds500", "train");
            if (p.GetValue(stream)) RunStreamed(p.GetValue(threads), p.GetValue(size), p.GetValue(batch), p.GetValue(epochs), folder);
            else Run(p.GetValue(threads), p.GetValue(size), p.GetValue(batch), p.GetValue(epochs), folder);
        });
        return command;
    }

    public static void RunStreamed(int threads, int size, int batchSize, int epochs, string folder)
    {
        RunContext context = RunContext.Start("augment --stream", MallocMode.Tuned, threads, channelsLast: false, size);
        Console.WriteLine(context.Describe() + $"; images: {Path.GetFullPath(folder)} (streamed)");

        long start = Stopwatch.GetTimestamp();
        using ImageFolderDataset files = ImageFolder.LoadUnlabelled(folder, new ImageFolderOptions { Height = size, Width = size, Stream = true },
            new DataLoadOptions { MaxDegreeOfParallelism = threads });
        double open = Stopwatch.GetElapsedTime(start).TotalSeconds;
        int n = files.Samples.Count;
        Console.WriteLine(string.Create(Inv, $"open (headers only): {n} images in {open:F2} s"));

        using var data = new DomainDataset("stream", files.Samples.WithLabels("source", zeros(n, ScalarType.Int64), 1), files.Samples.WithoutLabels("target"));
        using var converter = new SampleConverter(ScalarType.Float32, CPU, ChannelNormalisation.ImageNet);
        using var assembler = new BatchAssembler(data, converter, prefetchSteps: 2);
        int perDomain = Math.Max(1, batchSize / 2);
        var sampler = new DomainBatchSampler(n, n, perDomain, seed: 1);
        long stepsPerEpoch = sampler.StepsPerEpoch;
        var settings = new ResizedCropAugmentation { Brightness = 0.4, Contrast = 0.4, Saturation = 0.4 };
        using var generator = new Generator(1);
        var perEpoch = new List<double>();
        double checksum = 0;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            long epochStart = Stopwatch.GetTimestamp();
            for (long step = epoch * stepsPerEpoch; step < (epoch + 1) * stepsPerEpoch; step++)
            {
                using var scope = NewDisposeScope();
                DomainBatch batch = assembler.Assemble(sampler, step);
                Tensor y = BatchAugmentation.ResizedCrop(cat([batch.SourceImages, batch.TargetImages], 0), generator, settings);
                checksum += y[0, 0, 0, 0].ToDouble();   // materialise the batch
            }

            perEpoch.Add(Stopwatch.GetElapsedTime(epochStart).TotalSeconds);
            long images = stepsPerEpoch * perDomain * 2;
            Console.WriteLine(string.Create(Inv, $"epoch {epoch + 1}: {images} images decoded, resized and augmented in {perEpoch[^1]:F2} s ({images / perEpoch[^1]:F0} images/s)"));
        }

        double median = Summary.Of(perEpoch).Median;
        long perEpochImages = stepsPerEpoch * perDomain * 2;
        Console.WriteLine(string.Create(Inv,
            $"augment --stream: {n} images at {size}×{size}, batch {perDomain}+{perDomain}, {threads} threads, 2 steps read ahead: per epoch median {median:F2} s = {perEpochImages / median:F0} images/s; {epochs} epochs incl. open {open + perEpoch.Sum():F2} s = {perEpochImages * epochs / (open + perEpoch.Sum()):F0} images/s (checksum {checksum:F3})"));
    }

    public static void Run(int threads, int size, int batchSize, int epochs, string folder)
    {
        RunContext context = RunContext.Start("augment", MallocMode.Tuned, threads, channelsLast: false, size);
        Console.WriteLine(context.Describe() + $"; images: {Path.GetFullPath(folder)}");

        long start = Stopwatch.GetTimestamp();
        using ImageFolderDataset data = ImageFolder.LoadUnlabelled(folder, new ImageFolderOptions { Height = size, Width = size },
            new DataLoadOptions { MaxDegreeOfParallelism = threads });
        double load = Stopwatch.GetElapsedTime(start).TotalSeconds;
        long n = data.Samples.Count;
        Console.WriteLine(string.Create(Inv, $"decode + resize to {size}×{size}: {n} images in {load:F2} s ({n / load:F0} images/s)"));

        using var converter = new SampleConverter(ScalarType.Float32, CPU, ChannelNormalisation.ImageNet);
        var settings = new ResizedCropAugmentation { Brightness = 0.4, Contrast = 0.4, Saturation = 0.4 };
        var perEpoch = new List<double>();
        double checksum = 0;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            long epochStart = Stopwatch.GetTimestamp();
            using var generator = new Generator((ulong)(epoch + 1));
            using Tensor order = randperm(n, generator: generator);
            for (long first = 0; first < n; first += batchSize)
            {
                using var scope = NewDisposeScope();
                Tensor indices = order.narrow(0, first, Math.Min(batchSize, n - first));
                Tensor x = converter.Convert(data.Samples.Samples.index_select(0, indices));
                Tensor y = BatchAugmentation.ResizedCrop(x, generator, settings);
                checksum += y[0, 0, 0, 0].ToDouble();   // materialise the batch
            }

            perEpoch.Add(Stopwatch.GetElapsedTime(epochStart).TotalSeconds);
            Console.WriteLine(string.Create(Inv, $"epoch {epoch + 1}: {n} augmented images in {perEpoch[^1]:F2} s ({n / perEpoch[^1]:F0} images/s)"));
        }

        double median = Summary.Of(perEpoch).Median;
        double total = load + perEpoch.Sum();
        Console.WriteLine(string.Create(Inv,
            $"augment: {n} images at {size}×{size}, batch {batchSize}, {threads} threads: decode once {load:F2} s; per epoch median {median:F2} s = {n / median:F0} images/s; {epochs} epochs incl. decode {total:F2} s = {n * epochs / total:F0} images/s (checksum {checksum:F3})"));
    }
}
