namespace DomainAdaptation.Data.Generation;

/// <summary>How <see cref="PngWriter"/> chooses the PNG filter of each row.</summary>
public enum PngFilterStrategy
{
    /// <summary>Filter type 0 (None) on every row: fastest, larger files.</summary>
    None = 0,

    /// <summary>
    /// Per row, the filter (None, Sub, Up, Average, Paeth) whose output has the smallest sum of absolute values
    /// read as signed bytes — the heuristic the PNG specification recommends. Smaller files, about 5× the filtering work.
    /// </summary>
    Adaptive = 1,
}
