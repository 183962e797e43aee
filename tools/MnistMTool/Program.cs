// MnistMTool: the analysis harness behind docs/data-generation.md, on the library's readers (MNIST-M release and
// generated folders through MnistM.Load, MNIST through MnistIdx, BSDS500 through Bsds500Images, PNG out through
// SkiaImageEncoder, as MNIST-M generation writes) and System.CommandLine. Generating MNIST-M itself is the sample's `generate-mnistm` command.
//   stats  --input PATH [--split train|test] [--limit N]        (PATH: mnist_m.tar.gz, the mnist_m folder or a generated one)
//   grid   --left PATH --right PATH --out FILE.png [--split train] [--rows 5] [--cols 10]
//   locate --released PATH --mnist DIR --bsds PATH [--split test] [--indices 0,1,2]
using System.CommandLine;
using System.Globalization;
using DomainAdaptation.Data;
using DomainAdaptation.Data.Formats;
using DomainAdaptation.Data.Generation;
using static TorchSharp.torch;

var split = new Option<string>("--split") { Description = "train | test", DefaultValueFactory = _ => "train" };
split.AcceptOnlyFromAmong("train", "test");
var input = new Option<string>("--input") { Description = "mnist_m.tar.gz, the extracted mnist_m folder, or a folder written by generate-mnistm", Required = true };
var limit = new Option<int>("--limit") { Description = "At most this many images (the first in label-file order)", DefaultValueFactory = _ => int.MaxValue };
var stats = new Command("stats", "Per-channel mean and standard deviation and the label counts of an MNIST-M split") { input, split, limit };
stats.SetAction(p => Stats(p.GetValue(input)!, Split(p.GetValue(split)!), p.GetValue(limit)));

var left = new Option<string>("--left") { Description = "The left panel's MNIST-M source (as --input)", Required = true };
var right = new Option<string>("--right") { Description = "The right panel's MNIST-M source", Required = true };
var output = new Option<string>("--out") { Description = "The PNG file to write", Required = true };
var rows = new Option<int>("--rows") { Description = "Rows of each panel", DefaultValueFactory = _ => 5 };
var cols = new Option<int>("--cols") { Description = "Columns of each panel", DefaultValueFactory = _ => 10 };
var grid = new Command("grid", "Two panels of the first rows×cols images of two MNIST-M sources, side by side, as one PNG") { left, right, output, split, rows, cols };
grid.SetAction(p => Grid(p.GetValue(left)!, p.GetValue(right)!, p.GetValue(output)!, Split(p.GetValue(split)!), p.GetValue(rows), p.GetValue(cols)));

var released = new Option<string>("--released") { Description = "The released MNIST-M (mnist_m.tar.gz or its folder)", Required = true };
var mnist = new Option<string>("--mnist") { Description = "The MNIST folder (train-images-idx3-ubyte.gz, t10k-images-idx3-ubyte.gz)", Required = true };
var bsds = new Option<string>("--bsds") { Description = "BSDS500 train images: a folder of JPEGs or BSR_bsds500.tgz", Required = true };
var locateSplit = new Option<string>("--split") { Description = "train | test", DefaultValueFactory = _ => "test" };
locateSplit.AcceptOnlyFromAmong("train", "test");
var indices = new Option<string>("--indices") { Description = "Comma-separated image indices", DefaultValueFactory = _ => "0,1,2" };
var locate = new Command("locate", "Find the BSDS500 patch under released MNIST-M images (undoing the blend of a binarised digit at offset (2, 2))") { released, mnist, bsds, locateSplit, indices };
locate.SetAction(p => Locate(p.GetValue(released)!, p.GetValue(mnist)!, p.GetValue(bsds)!, Split(p.GetValue(locateSplit)!), p.GetValue(indices)!));

var root = new RootCommand("MNIST-M analysis for docs/data-generation.md (generate MNIST-M with the sample's generate-mnistm)") { stats, grid, locate };
try
{
    return root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException or DataFormatException or FormatException or ArgumentException)
{
    // The library's messages name the file and what was expected: one line, exit 3 as the sample's data errors.
    Console.Error.WriteLine($"error: {e.Message}");
    return 3;
}

static DataSplit Split(string name) => name == "train" ? DataSplit.Train : DataSplit.Test;

static string Name(DataSplit split) => split == DataSplit.Train ? "train" : "test";

// The first `count` images of an MNIST-M source as interleaved RGB bytes (HWC), with their labels.
static (byte[][] Images, long[] Labels) ReadRgb(string source, DataSplit split, int count)
{
    using SampleSet set = MnistM.Load(source, split);
    int n = Math.Min(count, set.Count);
    using Tensor hwc = set.Samples.narrow(0, 0, n).permute(0, 2, 3, 1).contiguous();
    byte[] all = hwc.data<byte>().ToArray();
    int bytes = MnistM.ImageSize * MnistM.ImageSize * MnistM.ImageChannels;
    var images = new byte[n][];
    for (int i = 0; i < n; i++) images[i] = all.AsSpan(i * bytes, bytes).ToArray();
    using Tensor labels = set.Labels!.narrow(0, 0, n).contiguous();
    return (images, labels.data<long>().ToArray());
}

static void Stats(string source, DataSplit split, int limit)
{
    using SampleSet set = MnistM.Load(source, split);
    int n = Math.Min(limit, set.Count);
    using Tensor images = set.Samples.narrow(0, 0, n).to(ScalarType.Float64);
    using Tensor mean = images.mean([0L, 2L, 3L]);
    using Tensor std = images.std([0L, 2L, 3L], unbiased: false);
    using Tensor counts = set.Labels!.narrow(0, 0, n).bincount(null, MnistM.ClassCount);
    Console.WriteLine($"{source} ({Name(split)}): {n} images of {MnistM.ImageSize}×{MnistM.ImageSize}; labels 0–9: {string.Join(" ", counts.data<long>().ToArray())}");
    string[] names = ["R", "G", "B"];
    for (int c = 0; c < 3; c++)
    {
        double m = mean[c].item<double>(), s = std[c].item<double>();
        Console.WriteLine(FormattableString.Invariant($"  {names[c]}: mean {m:F2} std {s:F2}   (/255: mean {m / 255:F4} std {s / 255:F4})"));
    }
}

static void Grid(string leftSource, string rightSource, string output, DataSplit split, int rows, int cols)
{
    int n = rows * cols;
    byte[][][] panels = [ReadRgb(leftSource, split, n).Images, ReadRgb(rightSource, split, n).Images];
    const int Tile = MnistM.ImageSize, Gap = 2, PanelGap = 12;
    int panelWidth = cols * (Tile + Gap) - Gap;
    int width = (2 * panelWidth) + PanelGap;
    int height = rows * (Tile + Gap) - Gap;
    byte[] canvas = Enumerable.Repeat((byte)255, width * height * 3).ToArray();
    for (int panel = 0; panel < 2; panel++)
    {
        byte[][] tiles = panels[panel];
        for (int k = 0; k < Math.Min(n, tiles.Length); k++)
        {
            int x0 = (panel * (panelWidth + PanelGap)) + (k % cols * (Tile + Gap));
            int y0 = k / cols * (Tile + Gap);
            for (int y = 0; y < Tile; y++)
            {
                Array.Copy(tiles[k], y * Tile * 3, canvas, ((y0 + y) * width + x0) * 3, Tile * 3);
            }
        }
    }

    File.WriteAllBytes(output, SkiaImageEncoder.EncodePng(canvas, width, height, 3, PngFilterStrategy.Adaptive, output));
    Console.WriteLine($"wrote {output}: {width}×{height}, {new FileInfo(output).Length} bytes (left: {leftSource}, right: {rightSource}, first {n} {Name(split)} images each)");
}

static void Locate(string releasedSource, string mnistFolder, string bsdsSource, DataSplit split, string indexList)
{
    int[] wanted = indexList.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
    int count = wanted.Max() + 1;
    string prefix = split == DataSplit.Train ? "train" : "t10k";
    using Tensor mnistImages = MnistIdx.ReadImages(Path.Combine(mnistFolder, $"{prefix}-images-idx3-ubyte.gz"));
    using Tensor first = mnistImages.narrow(0, 0, count).contiguous();
    byte[] digits = first.data<byte>().ToArray();
    IReadOnlyList<DecodedImage> backgrounds = Bsds500Images.Load(bsdsSource).Images;
    byte[][] releasedImages = ReadRgb(releasedSource, split, count).Images;
    foreach (int index in wanted)
    {
        byte[] rgb = releasedImages[index];
        // Undo the blend under the hypothesis "28×28 binarised digit at offset (2, 2)": patch = on ? 255 − o : o.
        byte[] patch = new byte[32 * 32 * 3];
        for (int y = 0; y < 32; y++)
        {
            for (int x = 0; x < 32; x++)
            {
                int dy = y - 2, dx = x - 2;
                bool on = dy is >= 0 and < 28 && dx is >= 0 and < 28 && digits[index * 784 + dy * 28 + dx] > 0;
                for (int c = 0; c < 3; c++)
                {
                    byte o = rgb[(y * 32 + x) * 3 + c];
                    patch[(y * 32 + x) * 3 + c] = on ? (byte)(255 - o) : o;
                }
            }
        }

        var best = (Error: double.MaxValue, Max: 0, Name: "", X: 0, Y: 0);
        var second = best;
        int[] probe = Enumerable.Range(0, 32).Select(k => ((k * 7 % 32) * 32 + (k * 13 % 32)) * 3).ToArray();
        foreach (DecodedImage bg in backgrounds)
        {
            ReadOnlySpan<byte> px = bg.Pixels;
            for (int y0 = 0; y0 <= bg.Height - 32; y0++)
            {
                for (int x0 = 0; x0 <= bg.Width - 32; x0++)
                {
                    int quick = 0;
                    foreach (int p in probe)
                    {
                        int y = p / 3 / 32, x = p / 3 % 32;
                        int q = ((y0 + y) * bg.Width + x0 + x) * 3;
                        quick += Math.Abs(px[q] - patch[p]) + Math.Abs(px[q + 1] - patch[p + 1]) + Math.Abs(px[q + 2] - patch[p + 2]);
                    }

                    if (quick > probe.Length * 3 * 12) continue;
                    long total = 0;
                    int max = 0;
                    for (int y = 0; y < 32; y++)
                    {
                        for (int x = 0; x < 96; x++)
                        {
                            int d = Math.Abs(px[((y0 + y) * bg.Width + x0) * 3 + x] - patch[y * 96 + x]);
                            total += d;
                            max = Math.Max(max, d);
                        }
                    }

                    double error = total / 3072.0;
                    if (error < best.Error)
                    {
                        second = best;
                        best = (error, max, bg.Name ?? "?", x0, y0);
                    }
                    else if (error < second.Error)
                    {
                        second = (error, max, bg.Name ?? "?", x0, y0);
                    }
                }
            }
        }

        Console.WriteLine(FormattableString.Invariant(
            $"{Name(split)} {index:D8}: best {best.Name} at x={best.X} y={best.Y}: mean |diff| {best.Error:F3}, max {best.Max}; runner-up {(second.Error == double.MaxValue ? "none under the probe threshold" : $"{second.Name} ({second.X},{second.Y}) {second.Error:F3}")}"));
    }
}
