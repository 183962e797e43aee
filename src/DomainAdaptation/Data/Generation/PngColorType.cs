namespace DomainAdaptation.Data.Generation;

/// <summary>The 8-bit PNG colour types that <see cref="PngWriter"/> writes (the values are the PNG colour type codes).</summary>
internal enum PngColorType
{
    /// <summary>One grey byte per pixel.</summary>
    Grey = 0,

    /// <summary>Three bytes per pixel: red, green, blue.</summary>
    Rgb = 2,

    /// <summary>Four bytes per pixel: red, green, blue, alpha (not premultiplied).</summary>
    Rgba = 6,
}
