using System.Globalization;
using SkiaSharp;

namespace MnistToMnistM;

/// <summary>
/// Writes a synthetic data set in the shape of Office-31 (Saenko et al., ECCV 2010) for the own-data walk-through:
/// two domains of JPEG files in class folders named as Office-31's 31 classes, with Office-31's image counts and sizes.
/// <c>amazon</c> (2,817 images, 300×300) shows each class's object centred on a white background, as a product photo;
/// <c>webcam</c> (795 images, 423×423) shows the same objects smaller, anywhere, at any angle, darker and tinted,
/// blurred and strongly compressed, in front of a BSDS500 photograph. The objects are drawn shapes, not products:
/// class c is shape c mod 8 (triangle, square, pentagon, hexagon, star, circle, ring, cross) in colour c div 8.
/// </summary>
/// <remarks>Deterministic: every image is drawn from its own <see cref="Random"/> seeded by (seed, domain, class, index).</remarks>
internal static class OfficeLikeGenerator
{
    /// <summary>Office-31's classes, in its folders' names.</summary>
    public static readonly string[] Classes =
    [
        "back_pack", "bike", "bike_helmet", "bookcase", "bottle", "calculator", "desk_chair", "desk_lamp", "desktop_computer", "file_cabinet",
        "headphones", "keyboard", "laptop_computer", "letter_tray", "mobile_phone", "monitor", "mouse", "mug", "paper_notebook", "pen",
        "phone", "printer", "projector", "punchers", "ring_binder", "ruler", "scissors", "speaker", "stapler", "tape_dispenser", "trash_can",
    ];

    private static readonly SKColor[] Colours = [new(200, 40, 40), new(40, 150, 60), new(40, 70, 200), new(230, 150, 30)];

    /// <summary>One domain: its folder name, image count and side.</summary>
    public sealed record Domain(string Name, int Count, int Size);

    /// <summary>Office-31's source and target of the walk-through (its dslr domain is left out).</summary>
    public static readonly Domain[] Domains = [new("amazon", 2817, 300), new("webcam", 795, 423)];

    /// <summary>Writes <c>out/amazon/&lt;class&gt;/frame_NNNN.jpg</c> and <c>out/webcam/…</c>; returns the files written per domain.</summary>
    /// <param name="outFolder">The output folder (created; existing files of the same names are replaced).</param>
    /// <param name="backgroundFiles">BSDS500 JPEGs for the webcam backgrounds.</param>
    /// <param name="seed">The seed.</param>
    /// <param name="progress">Receives (domain, images written so far).</param>
    /// <param name="ct">Cancels between images.</param>
    public static IReadOnlyList<(Domain Domain, int Files)> Write(string outFolder, IReadOnlyList<string> backgroundFiles, int seed, Action<Domain, int>? progress, CancellationToken ct)
    {
        if (backgroundFiles.Count == 0) throw new ArgumentException("No BSDS500 background images were given.", nameof(backgroundFiles));
        SKBitmap[] backgrounds = backgroundFiles.Select(f => SKBitmap.Decode(f) ?? throw new InvalidDataException($"'{f}' is not an image SkiaSharp can decode.")).ToArray();
        try
        {
            var written = new List<(Domain, int)>();
            for (int d = 0; d < Domains.Length; d++)
            {
                Domain domain = Domains[d];
                int done = 0;
                var jobs = Enumerable.Range(0, Classes.Length).SelectMany(c => Enumerable.Range(0, PerClass(domain.Count, c)).Select(i => (c, i))).ToArray();
                foreach (string name in Classes) Directory.CreateDirectory(Path.Combine(outFolder, domain.Name, name));
                int domainIndex = d;
                Parallel.ForEach(jobs, new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = Environment.ProcessorCount }, job =>
                {
                    var random = new Random(HashCode.Combine(seed, domainIndex, job.c, job.i) & int.MaxValue);
                    byte[] jpeg = domainIndex == 0 ? ProductPhoto(job.c, domain.Size, random) : WebcamPhoto(job.c, domain.Size, backgrounds, random);
                    string file = Path.Combine(outFolder, domain.Name, Classes[job.c], string.Create(CultureInfo.InvariantCulture, $"frame_{job.i + 1:D4}.jpg"));
                    File.WriteAllBytes(file, jpeg);
                    int n = Interlocked.Increment(ref done);
                    if (n % 200 == 0 || n == jobs.Length) progress?.Invoke(domain, n);
                });
                written.Add((domain, jobs.Length));
            }

            return written;
        }
        finally
        {
            foreach (SKBitmap b in backgrounds) b.Dispose();
        }
    }

    /// <summary>The images of class <paramref name="c"/>: the count spread evenly, the first classes one more.</summary>
    private static int PerClass(int count, int c) => count / Classes.Length + (c < count % Classes.Length ? 1 : 0);

    private static byte[] ProductPhoto(int c, int size, Random random)
    {
        using var surface = SKSurface.Create(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Premul));
        SKCanvas canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        float scale = size * (0.30f + 0.08f * (float)random.NextDouble());
        float angle = (float)(random.NextDouble() * 30 - 15);
        float cx = size / 2f + (float)(random.NextDouble() * 0.06 - 0.03) * size, cy = size / 2f + (float)(random.NextDouble() * 0.06 - 0.03) * size;
        using (var shadow = new SKPaint { Color = new SKColor(0, 0, 0, 40), IsAntialias = true, ImageFilter = SKImageFilter.CreateBlur(6, 6) })
        {
            DrawObject(canvas, c, cx + size * 0.02f, cy + size * 0.03f, scale, angle, shadow);
        }

        using var paint = new SKPaint { Color = Colours[c / 8], IsAntialias = true };
        DrawObject(canvas, c, cx, cy, scale, angle, paint);
        return Encode(surface, 92);
    }

    private static byte[] WebcamPhoto(int c, int size, SKBitmap[] backgrounds, Random random)
    {
        using var surface = SKSurface.Create(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Premul));
        SKCanvas canvas = surface.Canvas;
        SKBitmap background = backgrounds[random.Next(backgrounds.Length)];
        int crop = Math.Min(background.Width, background.Height) * (6 + random.Next(5)) / 10;
        int x = random.Next(background.Width - crop + 1), y = random.Next(background.Height - crop + 1);
        using (var resample = new SKPaint())
        {
            canvas.DrawBitmap(background, new SKRect(x, y, x + crop, y + crop), new SKRect(0, 0, size, size), resample);
        }

        float scale = size * (0.16f + 0.14f * (float)random.NextDouble());
        float angle = (float)(random.NextDouble() * 360);
        float margin = scale * 1.1f;
        float cx = margin + (float)random.NextDouble() * (size - 2 * margin), cy = margin + (float)random.NextDouble() * (size - 2 * margin);
        float light = 0.55f + 0.35f * (float)random.NextDouble();
        SKColor colour = Colours[c / 8];
        var tinted = new SKColor(Tint(colour.Red, light, 1.0f), Tint(colour.Green, light, 0.95f), Tint(colour.Blue, light, 1.15f));
        using var paint = new SKPaint { Color = tinted, IsAntialias = true, ImageFilter = SKImageFilter.CreateBlur(1.5f, 1.5f) };
        DrawObject(canvas, c, cx, cy, scale, angle, paint);
        // The webcam's dim, bluish light over the whole frame.
        using (var dim = new SKPaint { Color = new SKColor(20, 30, 60, (byte)(40 + random.Next(50))) })
        {
            canvas.DrawRect(0, 0, size, size, dim);
        }

        return Encode(surface, 55);
    }

    private static byte Tint(byte value, float light, float cast) => (byte)Math.Clamp(value * light * cast, 0, 255);

    /// <summary>Shape <c>c mod 8</c> of radius <paramref name="r"/> at (cx, cy), turned by <paramref name="degrees"/>.</summary>
    private static void DrawObject(SKCanvas canvas, int c, float cx, float cy, float r, float degrees, SKPaint paint)
    {
        canvas.Save();
        canvas.Translate(cx, cy);
        canvas.RotateDegrees(degrees);
        using var path = new SKPath();
        switch (c % 8)
        {
            case 0: Polygon(path, 3, r); break;
            case 1: Polygon(path, 4, r); break;
            case 2: Polygon(path, 5, r); break;
            case 3: Polygon(path, 6, r); break;
            case 4: Star(path, 5, r, r * 0.45f); break;
            case 5: path.AddCircle(0, 0, r); break;
            case 6:
                path.FillType = SKPathFillType.EvenOdd;
                path.AddCircle(0, 0, r);
                path.AddCircle(0, 0, r * 0.55f);
                break;
            default:
                path.AddRect(new SKRect(-r, -r * 0.3f, r, r * 0.3f));
                path.AddRect(new SKRect(-r * 0.3f, -r, r * 0.3f, r));
                break;
        }

        canvas.DrawPath(path, paint);
        canvas.Restore();
    }

    private static void Polygon(SKPath path, int sides, float r) => Star(path, sides, r, null);

    private static void Star(SKPath path, int points, float outer, float? inner)
    {
        int vertices = inner is null ? points : 2 * points;
        for (int k = 0; k < vertices; k++)
        {
            float radius = inner is null || k % 2 == 0 ? outer : inner.Value;
            double a = -Math.PI / 2 + 2 * Math.PI * k / vertices;
            var p = new SKPoint((float)(radius * Math.Cos(a)), (float)(radius * Math.Sin(a)));
            if (k == 0) path.MoveTo(p);
            else path.LineTo(p);
        }

        path.Close();
    }

    private static byte[] Encode(SKSurface surface, int quality)
    {
        using SKImage image = surface.Snapshot();
        using SKData data = image.Encode(SKEncodedImageFormat.Jpeg, quality);
        return data.ToArray();
    }
}
