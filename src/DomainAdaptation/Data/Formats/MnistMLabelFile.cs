using System.Globalization;
using System.Text;

namespace DomainAdaptation.Data.Formats;

/// <summary>One line of an MNIST-M label file: an image file name and its digit.</summary>
/// <param name="FileName">The image's file name (a plain name, no folders).</param>
/// <param name="Label">The digit, 0–9.</param>
/// <param name="LineNumber">The 1-based line it came from.</param>
internal readonly record struct MnistMLabelEntry(string FileName, int Label, int LineNumber);

/// <summary>Parses MNIST-M label files: one <c>file-name label</c> pair per line, separated by white space.</summary>
internal static class MnistMLabelFile
{
    /// <summary>Parses a label file's bytes (UTF-8 or ASCII).</summary>
    /// <param name="content">The file's bytes.</param>
    /// <param name="sourceName">The file (or archive entry), for messages.</param>
    /// <param name="classCount">Labels must lie in <c>[0, classCount)</c>.</param>
    /// <returns>The entries in file order.</returns>
    /// <exception cref="DataFormatException">For a malformed line, a bad label, an unsafe or duplicate file name, or an empty file.</exception>
    public static List<MnistMLabelEntry> Parse(ReadOnlySpan<byte> content, string sourceName, int classCount = 10)
    {
        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(content);
        }
        catch (DecoderFallbackException ex)
        {
            throw new DataFormatException(sourceName, "is not a text file (invalid UTF-8); an MNIST-M label file holds lines '<file name> <label>'.", ex);
        }

        var entries = new List<MnistMLabelEntry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int lineNumber = 0;
        foreach (string rawLine in text.Split('\n'))
        {
            lineNumber++;
            string line = rawLine.Trim();
            if (line.Length == 0) continue;
            string[] parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2)
            {
                throw new DataFormatException(sourceName, $"line {lineNumber} is '{Shorten(line)}', but each line must be '<file name> <label>' (e.g. '00000000.png 5').");
            }

            string fileName = parts[0];
            if (fileName is "." or ".." || fileName.IndexOfAny(['/', '\\', ':', '\0']) >= 0)
            {
                throw new DataFormatException(sourceName, $"line {lineNumber} names '{Shorten(fileName)}', which is not a plain file name; image names must not contain folders, ':' or '..'.");
            }

            if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int label) || label >= classCount)
            {
                throw new DataFormatException(sourceName, $"line {lineNumber} gives the label '{Shorten(parts[1])}' for '{fileName}'; labels must be integers 0 to {classCount - 1}.");
            }

            if (!seen.Add(fileName))
            {
                throw new DataFormatException(sourceName, $"line {lineNumber} lists '{fileName}' a second time; each image must appear once.");
            }

            entries.Add(new MnistMLabelEntry(fileName, label, lineNumber));
        }

        if (entries.Count == 0) throw new DataFormatException(sourceName, "lists no images; an MNIST-M label file holds lines '<file name> <label>'.");
        return entries;
    }

    private static string Shorten(string s) => s.Length <= 80 ? s : s[..77] + "...";
}
