using System.Text;
using DomainAdaptation.Data.Formats;
using DomainAdaptation.Data.Generation;

namespace DomainAdaptation.Tests.Data.Formats;

public class Crc32Tests
{
    [Theory]
    [InlineData("", 0x00000000u)]
    [InlineData("123456789", 0xCBF43926u)] // the standard check value of CRC-32/ISO-HDLC
    [InlineData("IEND", 0xAE426082u)] // the CRC every PNG file ends with
    [InlineData("The quick brown fox jumps over the lazy dog", 0x414FA339u)]
    public void Compute_KnownInputs_GivesPublishedValues(string text, uint expected)
    {
        Crc32.Compute(Encoding.ASCII.GetBytes(text)).Should().Be(expected);
    }

    [Fact]
    public void Append_InPieces_EqualsWhole()
    {
        byte[] data = Enumerable.Range(0, 1000).Select(i => (byte)(i * 31 + 7)).ToArray();

        uint pieces = Crc32.Append(Crc32.Append(Crc32.Compute(data.AsSpan(0, 10)), data.AsSpan(10, 500)), data.AsSpan(510));

        pieces.Should().Be(Crc32.Compute(data));
    }
}
