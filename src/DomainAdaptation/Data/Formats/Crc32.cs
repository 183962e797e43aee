using System.Runtime.CompilerServices;

namespace DomainAdaptation.Data.Formats;

/// <summary>The CRC-32 of ISO 3309 / PNG (polynomial 0xEDB88320, reflected), slicing-by-4.</summary>
internal static class Crc32
{
    private static readonly uint[] Table = BuildTable();

    /// <summary>The CRC-32 of <paramref name="data"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint[] t = Table;
        uint crc = 0xFFFFFFFFu;
        int i = 0;
        for (; i + 4 <= data.Length; i += 4)
        {
            crc ^= (uint)(data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24));
            crc = t[768 + (int)(crc & 0xFF)] ^ t[512 + (int)((crc >> 8) & 0xFF)] ^ t[256 + (int)((crc >> 16) & 0xFF)] ^ t[(int)(crc >> 24)];
        }

        for (; i < data.Length; i++)
        {
            crc = t[(int)((crc ^ data[i]) & 0xFF)] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[1024];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }

        for (int n = 0; n < 256; n++)
        {
            for (int s = 1; s < 4; s++)
            {
                uint prev = table[((s - 1) * 256) + n];
                table[(s * 256) + n] = (prev >> 8) ^ table[prev & 0xFF];
            }
        }

        return table;
    }
}
