using System.Globalization;
using System.Text.RegularExpressions;

namespace DomainAdaptation.Training.Checkpoints;

/// <summary>
/// A folder of checkpoints named <c>checkpoint-{step:D10}.dann</c>. Each is written to a temporary file in the same
/// folder, flushed to disk (fsync), then renamed over its final name — an atomic replace on POSIX and NTFS — so a crash
/// leaves either the old file or the new one, never a half-written one under a checkpoint name. Only after a new
/// checkpoint is in place are the oldest beyond <see cref="Keep"/> deleted.
/// </summary>
internal sealed partial class CheckpointStore
{
    public const string Extension = ".dann";

    public CheckpointStore(string directory, int keep)
    {
        Directory = Path.GetFullPath(directory);
        Keep = keep;
    }

    public string Directory { get; }

    public int Keep { get; }

    public static string FileName(long step) => string.Create(CultureInfo.InvariantCulture, $"checkpoint-{step:D10}{Extension}");

    /// <summary>Writes a checkpoint atomically and prunes old ones; returns its path.</summary>
    public string Save(long step, Action<Stream> write)
    {
        System.IO.Directory.CreateDirectory(Directory);
        string path = Path.Combine(Directory, FileName(step));
        string temporary = Path.Combine(Directory, $".{FileName(step)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(file);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }

        foreach (string old in List(Directory).Skip(Keep).Select(c => c.Path))
        {
            TryDelete(old);
        }

        return path;
    }

    /// <summary>The checkpoints in a folder, newest (highest step) first.</summary>
    public static IReadOnlyList<(long Step, string Path)> List(string directory)
    {
        if (!System.IO.Directory.Exists(directory)) return [];
        return System.IO.Directory.EnumerateFiles(directory, "checkpoint-*" + Extension)
            .Select(p => (Match: NamePattern().Match(Path.GetFileName(p)), Path: p))
            .Where(m => m.Match.Success)
            .Select(m => (Step: long.Parse(m.Match.Groups[1].ValueSpan, CultureInfo.InvariantCulture), m.Path))
            .OrderByDescending(c => c.Step)
            .ToList();
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // A leftover file is harmless; the next save tries again.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    [GeneratedRegex(@"^checkpoint-(\d{1,19})\.dann$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
