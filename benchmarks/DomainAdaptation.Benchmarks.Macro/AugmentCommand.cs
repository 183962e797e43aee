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
        var command = new Command("augment", "Decode + resize once, then per-step ImageNet normalisation and random resized crop + flip + jitter: images/s") { threads, size, batch, epochs, images };
        command.SetAction(p => Run(p.GetValue(threads), p.GetValue(size), p.GetValue(batch), p.GetValue(epochs),
            p.GetValue(images) ?? Path.Combine(Environment.GetEnvironmentVariable("DOMAINADAPTATION_DATA") ?? Path.Combine("..", "shared", "data"), "bsds500", "train")));
        return command;
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
