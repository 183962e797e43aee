namespace DomainAdaptation.Data.Generation;

/// <summary>Which PNG row filters the encoder of MNIST-M generation (SkiaSharp's, libpng) may choose from.</summary>
public enum PngFilterStrategy
{
    /// <summary>Filter type 0 (None) on every row: fastest, larger files.</summary>
    None = 0,

    /// <summary>
    /// Per row, any of the five filters (None, Sub, Up, Average, Paeth), chosen by libpng's heuristic (the smallest sum
    /// of absolute values read as signed bytes, as the PNG specification recommends). Smaller files, more filtering work.
    /// </summary>
    Adaptive = 1,
}
