using System.Text;
using DomainAdaptation.Data.Formats;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.VisualBasic.FileIO;

namespace DomainAdaptation.Data.Datasets;

/// <summary>
/// Reads labelled images listed in a CSV file of <c>path,label</c> rows: the third layout beside class folders
/// (<see cref="ImageFolder"/>) and the MNIST-M release, for images that live in one folder, or whose labels come from
/// a spreadsheet or a database export.
/// </summary>
/// <remarks>
/// <para>The file is UTF-8 text, one image per line: its path (relative to the CSV file's folder, or absolute), a comma,
/// its class name. An optional first line <c>path,label</c> (any case) is a header. Fields may be quoted with <c>"</c>
/// (a quote inside is written <c>""</c>), so paths may hold commas; blank lines are ignored. Classes are the distinct
/// labels in ordinal (culture-independent) order, so label <c>k</c> is <see cref="ImageFolderDataset.ClassNames"/>[k],
/// as for class folders; images keep the file's order.</para>
/// <para>Errors name the CSV file and the line: a row without exactly two fields, an empty path or label, a path that
/// does not exist (with <see cref="ImageFolderOptions.SkipBadImages"/>, missing and undecodable files are skipped and
/// listed instead), or fewer than two classes.</para>
/// </remarks>
public static class ImageList
{
    /// <summary>Reads the listed images.</summary>
    /// <param name="csvPath">The CSV file.</param>
    /// <param name="options">Channels, size and bad-image handling (its extensions are not used: listed files are read whatever their extension); null for defaults.</param>
    /// <param name="loadOptions">Decoding parallelism and PNG checksum verification; null for defaults.</param>
    /// <param name="logger">Receives the one-line summary of conversions and skipped files; null for none.</param>
    /// <param name="cancellationToken">Stops the load.</param>
    /// <returns>The images, labels, class names and files.</returns>
    /// <exception cref="FileNotFoundException">When the CSV file does not exist.</exception>
    /// <exception cref="DataFormatException">For a malformed row, a missing or unreadable image (unless skipped), or fewer than two classes.</exception>
    /// <exception cref="InvalidOperationException">When a non-PNG image needs SkiaSharp's native library and it is missing.</exception>
    /// <exception cref="OptionsValidationException">When the options are invalid.</exception>
    public static ImageFolderDataset Load(string csvPath, ImageFolderOptions? options = null, DataLoadOptions? loadOptions = null,
        ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(csvPath);
        options = ImageFolder.Validate(options);
        string full = Path.GetFullPath(csvPath);
        if (!File.Exists(full)) throw new FileNotFoundException($"The image list '{full}' does not exist.", full);
        string folder = Path.GetDirectoryName(full)!;

        var files = new List<string>();
        var names = new List<string>();
        var skipped = new List<SkippedImage>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(full, Encoding.UTF8))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            string[] fields = ParseFields(line, full, lineNumber);
            if (lineNumber == 1 && fields.Length == 2 && fields[0].Trim().Equals("path", StringComparison.OrdinalIgnoreCase) &&
                fields[1].Trim().Equals("label", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (fields.Length != 2)
            {
                throw new DataFormatException(full, $"line {lineNumber}: expected two fields 'path,label' but found {fields.Length} ('{Shorten(line)}'); quote a path that holds commas (\"a,b.png\",cat).");
            }

            string path = fields[0].Trim();
            string label = fields[1].Trim();
            if (path.Length == 0) throw new DataFormatException(full, $"line {lineNumber}: the path is empty.");
            if (label.Length == 0) throw new DataFormatException(full, $"line {lineNumber}: the label of '{path}' is empty.");
            if (path.Contains('\0', StringComparison.Ordinal))
            {
                throw new DataFormatException(full, $"line {lineNumber}: the path holds a NUL character, which no file name may hold.");
            }

            string image = Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(folder, path));
            if (!File.Exists(image))
            {
                string reason = $"line {lineNumber}: '{path}' does not exist (looked for '{image}'; relative paths are read from the CSV file's folder).";
                if (!options.SkipBadImages) throw new DataFormatException(full, reason);
                skipped.Add(new SkippedImage(image, reason));
                continue;
            }

            files.Add(image);
            names.Add(label);
        }

        if (files.Count == 0) throw new DataFormatException(full, "lists no images (expected lines 'path,label').");
        string[] classes = names.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (classes.Length < 2)
        {
            throw new DataFormatException(full, $"lists one class only ('{classes[0]}'); a labelled set needs at least two.");
        }

        var index = classes.Select((name, k) => (name, k)).ToDictionary(p => p.name, p => (long)p.k, StringComparer.Ordinal);
        ImageFolderDataset data = ImageFolder.Read(Path.GetFileNameWithoutExtension(full), files, names.Select(n => index[n]).ToArray(), classes,
            options, loadOptions, logger, cancellationToken);
        if (skipped.Count == 0) return data;

        // Missing files were skipped before decoding; report them with the undecodable ones.
        var merged = new ImageFolderDataset(data.Samples, data.ClassNames, data.Files, [.. skipped, .. data.Skipped], data.Conversions);
        return merged;
    }

    /// <summary>
    /// Splits one CSV line into fields with the BCL's <see cref="TextFieldParser"/> (double quotes honoured, <c>""</c> a
    /// quote inside a quoted field); one parser per line keeps the error's line number ours.
    /// </summary>
    private static string[] ParseFields(string line, string file, int lineNumber)
    {
        using var parser = new TextFieldParser(new StringReader(line)) { TextFieldType = FieldType.Delimited, HasFieldsEnclosedInQuotes = true, TrimWhiteSpace = true };
        parser.SetDelimiters(",");
        try
        {
            return parser.ReadFields() ?? [string.Empty];
        }
        catch (MalformedLineException)
        {
            throw new DataFormatException(file, $"line {lineNumber}: a quoted field is not closed ('{Shorten(line)}').");
        }
    }

    private static string Shorten(string line) => line.Length <= 80 ? line : line[..77] + "...";
}
