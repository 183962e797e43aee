namespace DomainAdaptation.Data.Formats;

/// <summary>
/// CRC-32 as PNG (ISO 3309, ITU-T V.42) and zlib/gzip define it: reflected polynomial <c>0xEDB88320</c>, initial value
/// <c>0xFFFFFFFF</c>, final complement. Table-driven, one byte at a time.
/// </summary>
internal static class Crc32
{
    private static readonly uint[] Table = BuildTable();

    /// <summary>The CRC-32 of <paramref name="data"/>.</summary>
    /// <param name="data">The bytes.</param>
    /// <returns>The checksum; <c>Compute("123456789"u8) == 0xCBF43926</c>.</returns>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>Continues a CRC-32: <c>Append(Compute(a), b) == Compute(a ++ b)</c>.</summary>
    /// <param name="crc">The CRC of the bytes before <paramref name="data"/> (0 for none).</param>
    /// <param name="data">The next bytes.</param>
    /// <returns>The CRC of everything so far.</returns>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        uint c = ~crc;
        foreach (byte b in data)
        {
            c = Table[(c ^ b) & 0xFF] ^ (c >> 8);
        }

        return ~c;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
