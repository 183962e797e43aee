// MnistMTool: the harness behind docs/data-generation.md. Commands:
//   generate --mnist DIR --bsds PATH --out DIR [--split train|test] [--count N] [--seed S] [--size 32]
//   stats    --input PATH [--split train|test] [--limit N]        (PATH: release mnist_m.tar.gz or a generated folder)
//   grid     --left PATH --right PATH --out FILE.png [--split train] [--rows 5] [--cols 10]
//   locate   --released mnist_m.tar.gz --mnist DIR --bsds PATH [--split test] [--indices 0,1,2]
using System.Diagnostics;
using System.Globalization;
using DomainAdaptation.Data;
using DomainAdaptation.Data.Generation;
using MnistMTool;
using static TorchSharp.torch;

var options = ParseOptions(args.Skip(1));
string command = args.Length > 0 ? args[0] : "help";
string Get(string key, string? fallback = null) =>
    options.TryGetValue(key, out string? value) ? value : fallback ?? throw new ArgumentException($"--{key} is required for '{command}'.");
int GetInt(string key, int fallback) => int.Parse(Get(key, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

switch (command)
{
    case "generate":
        await Generate();
        break;
    case "stats":
        Stats();
        break;
    case "grid":
        Grid();
        break;
    case "locate":
        Locate();
        break;
    default:
        Console.Error.WriteLine("usage: MnistMTool generate|stats|grid|locate [--option value ...] (see the comment at the top of Program.cs)");
        return 2;
}

return 0;

async Task Generate()
{
    string split = Get("split", "train");
    string mnist = Get("mnist");
    int count = GetInt("count", split == "train" ? 59_001 : 9_001);
    string prefix = split == "train" ? "train" : "t10k";
    var clock = Stopwatch.StartNew();
    IReadOnlyList<RgbImage> backgrounds = Bsds500Images.Load(Get("bsds"));
    Console.WriteLine($"backgrounds: {backgrounds.Count} in {clock.ElapsedMilliseconds} ms");
    byte[] pixels = Idx.ReadImages(Path.Combine(mnist, $"{prefix}-images-idx3-ubyte.gz"), count);
    long[] labels = Idx.ReadLabels(Path.Combine(mnist, $"{prefix}-labels-idx1-ubyte.gz"), count);
    using var digits = new SampleSet($"MNIST {split}", tensor(pixels, new long[] { count, 1, 28, 28 }, ScalarType.Byte, CPU), tensor(labels, new long[] { count }, ScalarType.Int64, CPU), 10);
    var generator = new MnistMGenerator(new MnistMGeneratorOptions { Seed = GetInt("seed", 42), ImageSize = GetInt("size", 32) });
    var progress = new Progress<MnistMGenerationProgress>(p => Console.Write($"\r{p.Completed}/{p.Total}   "));
    MnistMGenerationResult result = await generator.WriteAsync(digits, backgrounds, Get("out"), split == "train" ? MnistMSplit.Train : MnistMSplit.Test, progress);
    Console.WriteLine();
    Console.WriteLine($"wrote {result.Count} images to {result.ImageFolder} and {result.LabelFile} in {result.Elapsed.TotalSeconds:F1} s (seed {result.Seed}, {result.ImageSize}×{result.ImageSize})");
}

void Stats()
{
    string input = Get("input");
    string split = Get("split", "train");
    int limit = GetInt("limit", int.MaxValue);
    var sum = new double[3];
    var sumSquares = new double[3];
    long pixelsPerChannel = 0;
    int images = 0;
    int size = 0;
    var labelCounts = new int[10];
    foreach ((string _, int label, byte[] png) in MnistMSource.Read(input, split, limit))
    {
        byte[] rgb = Png.DecodeRgb(png, out int width, out int height);
        size = width;
        for (int i = 0; i < rgb.Length; i += 3)
        {
            for (int c = 0; c < 3; c++)
            {
                double v = rgb[i + c];
                sum[c] += v;
                sumSquares[c] += v * v;
            }
        }

        pixelsPerChannel += width * height;
        labelCounts[label]++;
        images++;
    }

    Console.WriteLine($"{input} ({split}): {images} images of {size}×{size}; labels 0–9: {string.Join(" ", labelCounts)}");
    string[] names = ["R", "G", "B"];
    for (int c = 0; c < 3; c++)
    {
        double mean = sum[c] / pixelsPerChannel;
        double std = Math.Sqrt((sumSquares[c] / pixelsPerChannel) - (mean * mean));
        Console.WriteLine(FormattableString.Invariant($"  {names[c]}: mean {mean:F2} std {std:F2}   (/255: mean {mean / 255:F4} std {std / 255:F4})"));
    }
}

void Grid()
{
    string split = Get("split", "train");
    int rows = GetInt("rows", 5);
    int cols = GetInt("cols", 10);
    int n = rows * cols;
    var left = MnistMSource.Read(Get("left"), split, n).Select(e => Png.DecodeRgb(e.Png, out _, out _)).ToArray();
    var right = MnistMSource.Read(Get("right"), split, n).Select(e => Png.DecodeRgb(e.Png, out _, out _)).ToArray();
    const int Tile = 32, Gap = 2, PanelGap = 12;
    int panelWidth = cols * (Tile + Gap) - Gap;
    int width = (2 * panelWidth) + PanelGap;
    int height = rows * (Tile + Gap) - Gap;
    byte[] canvas = Enumerable.Repeat((byte)255, width * height * 3).ToArray();
    for (int panel = 0; panel < 2; panel++)
    {
        byte[][] tiles = panel == 0 ? left : right;
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

    string output = Get("out");
    File.WriteAllBytes(output, PngWriter.Encode(canvas, width, height, PngColorType.Rgb, PngFilterStrategy.Adaptive, System.IO.Compression.CompressionLevel.SmallestSize));
    Console.WriteLine($"wrote {output}: {width}×{height}, {new FileInfo(output).Length} bytes (left: {Get("left")}, right: {Get("right")}, first {n} {split} images each)");
}

void Locate()
{
    string split = Get("split", "test");
    string prefix = split == "train" ? "train" : "t10k";
    int[] indices = Get("indices", "0,1,2").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
    int limit = indices.Max() + 1;
    byte[] digits = Idx.ReadImages(Path.Combine(Get("mnist"), $"{prefix}-images-idx3-ubyte.gz"), limit);
    IReadOnlyList<RgbImage> backgrounds = Bsds500Images.Load(Get("bsds"));
    var released = MnistMSource.Read(Get("released"), split, limit).ToDictionary(e => int.Parse(e.Name[..8], CultureInfo.InvariantCulture), e => e.Png);
    foreach (int index in indices)
    {
        byte[] rgb = Png.DecodeRgb(released[index], out int w, out int h);
        if (w != 32 || h != 32) throw new InvalidDataException($"released image {index} is {w}×{h}");
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
        foreach (RgbImage bg in backgrounds)
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
                        best = (error, max, bg.Name, x0, y0);
                    }
                    else if (error < second.Error)
                    {
                        second = (error, max, bg.Name, x0, y0);
                    }
                }
            }
        }

        Console.WriteLine(FormattableString.Invariant(
            $"{split} {index:D8}: best {best.Name} at x={best.X} y={best.Y}: mean |diff| {best.Error:F3}, max {best.Max}; runner-up {(second.Error == double.MaxValue ? "none under the probe threshold" : $"{second.Name} ({second.X},{second.Y}) {second.Error:F3}")}"));
    }
}

static Dictionary<string, string> ParseOptions(IEnumerable<string> arguments)
{
    var result = new Dictionary<string, string>(StringComparer.Ordinal);
    string? key = null;
    foreach (string argument in arguments)
    {
        if (argument.StartsWith("--", StringComparison.Ordinal))
        {
            key = argument[2..];
            result[key] = "true";
        }
        else if (key is not null)
        {
            result[key] = argument;
            key = null;
        }
    }

    return result;
}
