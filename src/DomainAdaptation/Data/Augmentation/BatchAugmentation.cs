using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace DomainAdaptation.Data.Augmentation;

/// <summary>
/// Seeded, per-sample augmentations of a batch of images <c>[B, C, H, W]</c> as the model sees them (converted and
/// normalised), for self-training methods that need several views of each target sample: a weak view (random
/// translation, optional horizontal flip) and a strong view (RandAugment-like: a random affine warp, colour changes and
/// cutout). Vector samples <c>[B, D]</c> get noise instead: Gaussian noise of MaxShift/2 (weak) or 2·MaxShift (strong)
/// feature standard deviations, and in the strong view each feature dropped with probability CutoutFraction/2. Every random number comes from the given CPU generator (<see cref="Methods.StepContext.Generator"/>), so a
/// step's views repeat exactly on resume and on any device.
/// </summary>
/// <remarks>
/// <para>
/// The ops act on normalised inputs, where a per-image mean of 0 is "mid grey": brightness shifts by δ·σ_img, contrast
/// scales around the per-image channel mean, inversion reflects about it, grey averages the channels, channel
/// shuffle permutes RGB, cutout fills a square with the per-image mean (FixMatch's cutout fills with grey). Warps use
/// bilinear sampling with reflection at the borders (<c>grid_sample</c>). Reduced-precision batches are augmented in
/// float32 and converted back.
/// </para>
/// <para>
/// Sohn et al. (FixMatch, NeurIPS 2020) use flip-and-shift as the weak view and RandAugment + cutout as the strong
/// one; digits must not be flipped, so <see cref="WeakAugmentation.HorizontalFlip"/> is off by default.
/// </para>
/// </remarks>
public static class BatchAugmentation
{
    /// <summary>The weak view: a random translation by up to <see cref="WeakAugmentation.MaxShift"/> of the size, and a flip when enabled.</summary>
    /// <param name="images">Images <c>[B, C, H, W]</c>.</param>
    /// <param name="generator">A CPU generator.</param>
    /// <param name="settings">The settings; null for the defaults.</param>
    /// <returns>The augmented images (same shape, dtype and device).</returns>
    public static Tensor Weak(Tensor images, Generator generator, WeakAugmentation? settings = null)
    {
        CheckImages(images);
        ArgumentNullException.ThrowIfNull(generator);
        settings ??= new WeakAugmentation();
        if (images.dim() == 2) return Jitter(images, generator, settings.MaxShift / 2, 0);
        long b = images.shape[0];
        Tensor tx = Uniform(b, -settings.MaxShift, settings.MaxShift, generator).mul(2.0);
        Tensor ty = Uniform(b, -settings.MaxShift, settings.MaxShift, generator).mul(2.0);
        Tensor sx = settings.HorizontalFlip ? Bernoulli(b, 0.5, generator).mul(-2.0).add(1.0) : ones(b, ScalarType.Float32);
        Tensor zero = zeros(b, ScalarType.Float32);
        Tensor theta = stack([stack([sx, zero, tx], 1), stack([zero, ones(b, ScalarType.Float32), ty], 1)], 1);
        return Warp(images, theta);
    }

    /// <summary>The strong view: the weak view's shift, a random affine warp, colour ops each with probability <see cref="StrongAugmentation.Probability"/>, and cutout.</summary>
    /// <param name="images">Images <c>[B, C, H, W]</c>.</param>
    /// <param name="generator">A CPU generator.</param>
    /// <param name="settings">The settings; null for the defaults.</param>
    /// <returns>The augmented images (same shape, dtype and device).</returns>
    public static Tensor Strong(Tensor images, Generator generator, StrongAugmentation? settings = null)
    {
        CheckImages(images);
        ArgumentNullException.ThrowIfNull(generator);
        settings ??= new StrongAugmentation();
        if (images.dim() == 2) return Jitter(images, generator, settings.MaxShift * 2, settings.CutoutFraction / 2);
        long b = images.shape[0];
        long c = images.shape[1];
        double p = settings.Probability;

        // Affine: rotation, shear, scale and translation in one warp per image.
        Tensor angle = Uniform(b, -settings.MaxRotationDegrees, settings.MaxRotationDegrees, generator).mul(Math.PI / 180.0).mul(Bernoulli(b, p, generator));
        Tensor shear = Uniform(b, -settings.MaxShear, settings.MaxShear, generator).mul(Bernoulli(b, p, generator));
        Tensor scale = Uniform(b, 1.0 - settings.MaxScaleChange, 1.0 + settings.MaxScaleChange, generator);
        Tensor tx = Uniform(b, -settings.MaxShift, settings.MaxShift, generator).mul(2.0);
        Tensor ty = Uniform(b, -settings.MaxShift, settings.MaxShift, generator).mul(2.0);
        Tensor cos = angle.cos().div(scale), sin = angle.sin().div(scale);
        Tensor theta = stack([stack([cos, sin.neg().add(shear), tx], 1), stack([sin, cos, ty], 1)], 1);
        Tensor x = Warp(images, theta);

        using var compute = new Precision(x);
        Tensor y = compute.Value;
        Tensor mean = y.mean([2, 3], keepdim: true);
        Tensor std = y.std([1, 2, 3], keepdim: true).clamp_min(1e-6);
        Device device = y.device;

        // Brightness: shift by δ·σ_img, δ ∈ [−B, B].
        y = Blend(y, y + std.mul(Uniform(b, -settings.MaxBrightness, settings.MaxBrightness, generator).to(device).view(b, 1, 1, 1)), Bernoulli(b, p, generator), device);
        // Contrast: scale around the channel means by a factor in [1 − C, 1 + C].
        y = Blend(y, mean + (y - mean).mul(Uniform(b, 1.0 - settings.MaxContrastChange, 1.0 + settings.MaxContrastChange, generator).to(device).view(b, 1, 1, 1)), Bernoulli(b, p, generator), device);
        if (c > 1)
        {
            // Grey: every channel becomes the channel average.
            y = Blend(y, y.mean([1], keepdim: true).expand_as(y), Bernoulli(b, p / 2, generator), device);
            // Channel shuffle: a random permutation of the channels per image.
            Tensor permutation = rand([b, c], ScalarType.Float32, CPU, generator: generator).argsort(1).to(device);
            Tensor shuffled = y.gather(1, permutation.view(b, c, 1, 1).expand_as(y));
            y = Blend(y, shuffled, Bernoulli(b, p, generator), device);
        }

        // Inversion about the per-image channel mean.
        y = Blend(y, mean.mul(2.0) - y, Bernoulli(b, p / 2, generator), device);
        // Gaussian noise of σ = N·σ_img.
        y = Blend(y, y + randn(y.shape, ScalarType.Float32, CPU, generator: generator).to(device).to_type(y.dtype).mul(std.mul(settings.NoiseLevel)), Bernoulli(b, p, generator), device);

        // Cutout: a square of side CutoutFraction·min(H, W) at a random centre, filled with the image mean.
        if (settings.CutoutFraction > 0)
        {
            long h = y.shape[2], w = y.shape[3];
            double half = settings.CutoutFraction * Math.Min(h, w) / 2.0;
            Tensor cy = Uniform(b, 0, h, generator).to(device).view(b, 1, 1, 1);
            Tensor cx = Uniform(b, 0, w, generator).to(device).view(b, 1, 1, 1);
            Tensor rows = arange(h, ScalarType.Float32, device).add(0.5).view(1, 1, h, 1);
            Tensor cols = arange(w, ScalarType.Float32, device).add(0.5).view(1, 1, 1, w);
            Tensor inside = rows.sub(cy).abs().le(half).logical_and(cols.sub(cx).abs().le(half));
            y = where(inside, y.mean([1, 2, 3], keepdim: true).expand_as(y), y);
        }

        return compute.Back(y);
    }

    /// <summary>
    /// torchvision's training transform for natural images, per image: a random crop of
    /// <see cref="ResizedCropAugmentation.MinScale"/>–<see cref="ResizedCropAugmentation.MaxScale"/> of the area with an
    /// aspect ratio drawn log-uniformly from [<see cref="ResizedCropAugmentation.MinAspectRatio"/>,
    /// <see cref="ResizedCropAugmentation.MaxAspectRatio"/>], resized (bilinear) back to the batch's H × W; a horizontal
    /// flip of half the images; then the colour jitter that is switched on.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The crop is one affine warp per image (<c>affine_grid</c> + <c>grid_sample</c>): scale
    /// <c>(sw, sh) = (√(a·r), √(a/r))</c> for area a and ratio r, clamped to the image, and a centre drawn so that the
    /// crop lies inside it. torchvision draws up to ten (area, ratio) pairs and falls back to a centre crop; clamping
    /// instead keeps one draw per image (the same random numbers whatever the image), so a step's views repeat exactly
    /// on resume. Cropping and bilinear resizing commute with per-channel normalisation, so the geometry equals
    /// torchvision's on the raw image; the colour jitter acts on the normalised image, as <see cref="Strong"/> does.
    /// </para>
    /// <para>
    /// Images are resized once at load time (<see cref="Datasets.ImageFolderOptions"/>, e.g. 224 × 224; torchvision
    /// resizes to 256 and crops 224, tllib's <c>ResizeImage(256)</c> + <c>RandomResizedCrop(224)</c>): the crop is taken
    /// of the stored image and resized to the stored size.
    /// </para>
    /// </remarks>
    /// <param name="images">Images <c>[B, C, H, W]</c>, floating point.</param>
    /// <param name="generator">A CPU generator.</param>
    /// <param name="settings">The settings; null for the defaults (torchvision's crop and flip, no jitter).</param>
    /// <returns>The augmented images (same shape, dtype and device).</returns>
    /// <exception cref="ArgumentException">When the input is not a floating-point image batch, or the settings are out of range.</exception>
    public static Tensor ResizedCrop(Tensor images, Generator generator, ResizedCropAugmentation? settings = null)
    {
        CheckImages(images);
        ArgumentNullException.ThrowIfNull(generator);
        settings ??= new ResizedCropAugmentation();
        if (images.dim() != 4) throw new ArgumentException($"ResizedCrop takes images [B, C, H, W], but got vectors [{string.Join(", ", images.shape)}].", nameof(images));
        Check(settings);
        long b = images.shape[0];
        double h = images.shape[2], w = images.shape[3];

        // Area fraction a and aspect ratio r (log-uniform); crop size (sw, sh) as fractions of the image, at most 1.
        Tensor area = Uniform(b, settings.MinScale, settings.MaxScale, generator);
        Tensor ratio = Uniform(b, Math.Log(settings.MinAspectRatio), Math.Log(settings.MaxAspectRatio), generator).exp();
        Tensor sw = area.mul(ratio).mul(h / w).sqrt().clamp_max(1.0);
        Tensor sh = area.div(ratio).mul(w / h).sqrt().clamp_max(1.0);

        // The crop's centre, in [−1, 1] grid coordinates, such that the crop stays inside: |c| ≤ 1 − s.
        Tensor cx = Uniform(b, -1.0, 1.0, generator).mul(sw.neg().add(1.0));
        Tensor cy = Uniform(b, -1.0, 1.0, generator).mul(sh.neg().add(1.0));
        Tensor flip = settings.HorizontalFlip ? Bernoulli(b, 0.5, generator).mul(-2.0).add(1.0) : ones(b, ScalarType.Float32);
        Tensor zero = zeros(b, ScalarType.Float32);
        Tensor theta = stack([stack([sw.mul(flip), zero, cx], 1), stack([zero, sh, cy], 1)], 1);
        Tensor x = Warp(images, theta, GridSamplePaddingMode.Border);
        if (settings.Brightness == 0 && settings.Contrast == 0 && settings.Saturation == 0) return x;

        using var compute = new Precision(x);
        Tensor y = compute.Value;
        Device device = y.device;
        if (settings.Brightness > 0)
        {
            Tensor std = y.std([1, 2, 3], keepdim: true).clamp_min(1e-6);
            y = y + std.mul(Uniform(b, -settings.Brightness, settings.Brightness, generator).to(device).to_type(y.dtype).view(b, 1, 1, 1));
        }

        if (settings.Contrast > 0)
        {
            Tensor mean = y.mean([2, 3], keepdim: true);
            y = mean + (y - mean).mul(Uniform(b, 1.0 - settings.Contrast, 1.0 + settings.Contrast, generator).to(device).to_type(y.dtype).view(b, 1, 1, 1));
        }

        if (settings.Saturation > 0 && y.shape[1] > 1)
        {
            Tensor grey = y.mean([1], keepdim: true);
            y = grey + (y - grey).mul(Uniform(b, 1.0 - settings.Saturation, 1.0 + settings.Saturation, generator).to(device).to_type(y.dtype).view(b, 1, 1, 1));
        }

        return compute.Back(y);
    }

    private static void Check(ResizedCropAugmentation s)
    {
        List<string> problems = s.Problems();
        if (problems.Count > 0) throw new ArgumentException($"{nameof(ResizedCropAugmentation)}: {string.Join("; ", problems)}.", "settings");
    }

    /// <summary>
    /// The view of vector samples <c>[B, D]</c>: Gaussian noise of σ = <paramref name="noise"/> · (each feature's standard
    /// deviation over the batch), and each feature zeroed with probability <paramref name="drop"/>.
    /// </summary>
    private static Tensor Jitter(Tensor x, Generator generator, double noise, double drop)
    {
        using var compute = new Precision(x);
        Tensor y = compute.Value;
        Tensor std = y.shape[0] > 1 ? y.std([0], keepdim: true) : ones_like(y);
        y = y + randn(y.shape, ScalarType.Float32, CPU, generator: generator).to(y.device).to_type(y.dtype).mul(std.mul(noise));
        if (drop > 0)
        {
            y = y.mul(rand(y.shape, ScalarType.Float32, CPU, generator: generator).ge(drop).to(y.device).to_type(y.dtype));
        }

        return compute.Back(y);
    }

    private static Tensor Warp(Tensor images, Tensor theta, GridSamplePaddingMode padding = GridSamplePaddingMode.Reflection)
    {
        using var compute = new Precision(images);
        Tensor x = compute.Value;
        Tensor grid = F.affine_grid(theta.to(x.device).to_type(x.dtype), x.shape, align_corners: false);
        return compute.Back(F.grid_sample(x, grid, GridSampleMode.Bilinear, padding, align_corners: false));
    }

    private static Tensor Blend(Tensor x, Tensor y, Tensor mask, Device device)
    {
        Tensor m = mask.to(device).to_type(x.dtype).view(-1, 1, 1, 1);
        return y.mul(m) + x.mul(m.neg().add(1.0));
    }

    private static Tensor Uniform(long n, double low, double high, Generator generator) =>
        rand([n], ScalarType.Float32, CPU, generator: generator).mul(high - low).add(low);

    private static Tensor Bernoulli(long n, double p, Generator generator) =>
        rand([n], ScalarType.Float32, CPU, generator: generator).lt(p).to_type(ScalarType.Float32);

    private static void CheckImages(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() is not (2 or 4) || !images.is_floating_point())
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Augmentation takes floating-point images [B, C, H, W] (or vectors [B, D]), but got {images.dtype} [{string.Join(", ", images.shape)}]."), nameof(images));
        }
    }

    /// <summary>Float32 for the ops when the batch is bfloat16 or float16, and back.</summary>
    private readonly struct Precision : IDisposable
    {
        private readonly ScalarType _dtype;

        public Precision(Tensor x)
        {
            _dtype = x.dtype;
            Value = _dtype is ScalarType.BFloat16 or ScalarType.Float16 ? x.to_type(ScalarType.Float32) : x;
        }

        public Tensor Value { get; }

        public Tensor Back(Tensor y) => y.dtype == _dtype ? y : y.to_type(_dtype);

        public void Dispose()
        {
        }
    }
}
