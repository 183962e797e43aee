using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DomainAdaptation.Data.Batching;
using DomainAdaptation.Training.Optimization;
using static TorchSharp.torch;

namespace DomainAdaptation.Training.Checkpoints;

/// <summary>
/// The checkpoint file format (version 3), little-endian:
/// <code>
/// "DANNCKPT"  int32 version  string metadata-JSON
/// section "modules":   int32 n, n × tensor     (the model as model.*, the method's modules as method.*)
/// section "optimizer": int32 n, n × tensor     (keys "{optimizer}.{parameter index}.{state}")
/// section "average":   int32 n, n × tensor     (n = 0 without a weight average; keys as in "modules")
/// "DANN-END"  32-byte SHA-256 of every byte before it
/// tensor = string key, int32 dtype, int32 rank, rank × int64 size, int64 byte count, bytes
/// </code>
/// Strings are .NET <see cref="BinaryWriter"/> strings (7-bit length prefix, UTF-8). The hash makes truncation and
/// corruption detectable before anything is loaded into a model. Versions 1 and 2 (the DANN-only trainer's) are
/// recognised and refused with a message.
/// </summary>
internal static class CheckpointFormat
{
    public const int Version = 3;
    private const int FirstVersion = 3;
    private const int HashBytes = 32;
    private static readonly byte[] Magic = "DANNCKPT"u8.ToArray();
    private static readonly byte[] EndMark = "DANN-END"u8.ToArray();

    public sealed record Metadata(
        int FormatVersion,
        long Step,
        long TotalSteps,
        long Seed,
        string Method,
        JsonObject MethodSettings,
        string? InferenceModule,
        OptimizerKind Optimizer,
        DateTimeOffset CreatedUtc,
        string Library,
        double[]? NormalisationMean,
        double[]? NormalisationStd,
        JsonObject Options,
        long? WeightAverageUpdates = null);

    /// <summary>A checkpoint's contents; <see cref="Average"/> is empty when the run kept no weight average.</summary>
    public sealed record Contents(Metadata Metadata, Dictionary<string, Tensor> Modules, Dictionary<string, Tensor> Optimizer, Dictionary<string, Tensor> Average) : IDisposable
    {
        public void Dispose()
        {
            foreach (Tensor t in Modules.Values) t.Dispose();
            foreach (Tensor t in Optimizer.Values) t.Dispose();
            foreach (Tensor t in Average.Values) t.Dispose();
        }
    }

    public static void Write(Stream stream, Metadata metadata, IEnumerable<(string Key, Tensor Value)> modules, IEnumerable<(string Key, Tensor Value)> optimizer, IEnumerable<(string Key, Tensor Value)> average)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using (var hashing = new HashingWriteStream(stream, hash))
        using (var writer = new BinaryWriter(hashing, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(Version);
            writer.Write(JsonSerializer.Serialize(metadata, OptionsJson.Serializer));
            WriteSection(writer, modules.ToList());
            WriteSection(writer, optimizer.ToList());
            WriteSection(writer, average.ToList());
            writer.Write(EndMark);
        }

        stream.Write(hash.GetHashAndReset());
    }

    /// <summary>Checks the hash of a whole file without parsing it.</summary>
    public static void Verify(string path)
    {
        using FileStream file = OpenRead(path);
        VerifyHash(file, path);
    }

    public static Metadata ReadMetadata(string path)
    {
        using FileStream file = OpenRead(path);
        VerifyHash(file, path);
        using var reader = new BinaryReader(file, Encoding.UTF8, leaveOpen: true);
        return ReadHeader(reader, path);
    }

    public static Contents Read(string path)
    {
        using FileStream file = OpenRead(path);
        VerifyHash(file, path);
        long end = file.Length - HashBytes - EndMark.Length;
        using var reader = new BinaryReader(file, Encoding.UTF8, leaveOpen: true);
        try
        {
            Metadata metadata = ReadVersionAndHeader(reader, path).Metadata;
            var sections = new List<Dictionary<string, Tensor>>(3);
            try
            {
                sections.Add(ReadSection(reader, end, path, "modules"));
                sections.Add(ReadSection(reader, end, path, "optimizer"));
                sections.Add(ReadSection(reader, end, path, "average"));
                if (!reader.ReadBytes(EndMark.Length).AsSpan().SequenceEqual(EndMark) || file.Position != end + EndMark.Length)
                {
                    throw new CheckpointException(path, "the end mark is missing or misplaced; the file was not written by this version of the library.");
                }

                if ((metadata.WeightAverageUpdates is null) != (sections[2].Count == 0))
                {
                    throw new CheckpointException(path, metadata.WeightAverageUpdates is null
                        ? "it holds a weight average that its metadata does not declare."
                        : "its metadata declares a weight average, but the file holds none.");
                }
            }
            catch
            {
                foreach (Tensor t in sections.SelectMany(d => d.Values)) t.Dispose();
                throw;
            }

            return new Contents(metadata, sections[0], sections[1], sections[2]);
        }
        catch (EndOfStreamException ex)
        {
            throw new CheckpointException(path, "the file ends in the middle of an entry.", ex);
        }
        catch (Exception ex) when (ex is IOException or FormatException)
        {
            // BinaryReader.ReadString on a damaged 7-bit length prefix (too long, or negative).
            throw new CheckpointException(path, "an entry's key has a damaged length prefix: " + ex.Message, ex);
        }
    }

    private static FileStream OpenRead(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            throw new CheckpointException(path, "the file cannot be opened: " + ex.Message, ex);
        }
    }

    private static void VerifyHash(FileStream file, string path)
    {
        long minimum = Magic.Length + sizeof(int) + EndMark.Length + HashBytes;
        if (file.Length < minimum)
        {
            throw new CheckpointException(path, string.Create(CultureInfo.InvariantCulture, $"the file has {file.Length} bytes, fewer than the {minimum} of an empty checkpoint: it is truncated or not a checkpoint."));
        }

        var magic = new byte[Magic.Length];
        file.ReadExactly(magic);
        if (!magic.AsSpan().SequenceEqual(Magic))
        {
            throw new CheckpointException(path, $"it does not start with \"DANNCKPT\": it is not a DomainAdaptation checkpoint.");
        }

        file.Position = 0;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long remaining = file.Length - HashBytes;
        var buffer = new byte[1 << 16];
        while (remaining > 0)
        {
            int read = file.Read(buffer, 0, (int)Math.Min(buffer.Length, remaining));
            if (read == 0) break;
            hash.AppendData(buffer, 0, read);
            remaining -= read;
        }

        var expected = new byte[HashBytes];
        file.ReadExactly(expected);
        if (!hash.GetHashAndReset().AsSpan().SequenceEqual(expected))
        {
            throw new CheckpointException(path, "its SHA-256 does not match its contents: the file is truncated or corrupted. Use the previous checkpoint in the folder.");
        }

        file.Position = 0;
    }

    private static Metadata ReadHeader(BinaryReader reader, string path) => ReadVersionAndHeader(reader, path).Metadata;

    private static (int Version, Metadata Metadata) ReadVersionAndHeader(BinaryReader reader, string path)
    {
        reader.ReadBytes(Magic.Length);
        int version = reader.ReadInt32();
        if (version is 1 or 2)
        {
            throw new CheckpointException(path, string.Create(CultureInfo.InvariantCulture, $"it is in format version {version}, written by the DANN-only trainer before the method redesign (DannTrainer); this library reads version {Version}. Retrain with AdaptationTrainer, or evaluate it with the library version that wrote it."));
        }

        if (version is < FirstVersion or > Version)
        {
            throw new CheckpointException(path, string.Create(CultureInfo.InvariantCulture, $"format version {version} is not supported (this library reads versions {FirstVersion} to {Version})."));
        }

        try
        {
            Metadata metadata = JsonSerializer.Deserialize<Metadata>(reader.ReadString(), OptionsJson.Serializer)
                ?? throw new CheckpointException(path, "the metadata is empty.");
            string? fault = Fault(metadata);
            if (fault is not null) throw new CheckpointException(path, "the metadata is damaged: " + fault);
            return (version, metadata);
        }
        catch (JsonException ex)
        {
            throw new CheckpointException(path, "the metadata is not valid JSON: " + ex.Message, ex);
        }
        catch (Exception ex) when (ex is IOException or FormatException)
        {
            throw new CheckpointException(path, "the metadata string is cut off or its length prefix is damaged: " + ex.Message, ex);
        }
    }

    private static void WriteSection(BinaryWriter writer, List<(string Key, Tensor Value)> entries)
    {
        writer.Write(entries.Count);
        foreach ((string key, Tensor value) in entries)
        {
            using Tensor cpu = value.detach().cpu().contiguous();
            writer.Write(key);
            writer.Write((int)cpu.dtype);
            writer.Write((int)cpu.dim());
            foreach (long size in cpu.shape) writer.Write(size);
            ReadOnlySpan<byte> bytes = cpu.bytes;
            writer.Write((long)bytes.Length);
            writer.Write(bytes);
        }
    }

    private static Dictionary<string, Tensor> ReadSection(BinaryReader reader, long end, string path, string section)
    {
        int count = reader.ReadInt32();
        // An entry takes at least 17 bytes (a 1-byte key prefix, dtype, rank, byte count): a count the rest of the file
        // cannot hold is refused before anything is sized by it.
        long fits = (end - reader.BaseStream.Position) / 17;
        if (count < 0 || count > fits)
        {
            throw new CheckpointException(path, string.Create(CultureInfo.InvariantCulture, $"the {section} section claims {count} entries; the {end - reader.BaseStream.Position} bytes left hold at most {fits}."));
        }

        var result = new Dictionary<string, Tensor>(count, StringComparer.Ordinal);
        try
        {
            for (int i = 0; i < count; i++)
            {
                string key = reader.ReadString();
                var dtype = (ScalarType)reader.ReadInt32();
                int rank = reader.ReadInt32();
                if (rank is < 0 or > 16)
                {
                    throw new CheckpointException(path, string.Create(CultureInfo.InvariantCulture, $"{section} entry '{key}' claims rank {rank}."));
                }

                var shape = new long[rank];
                for (int d = 0; d < rank; d++) shape[d] = reader.ReadInt64();
                long byteCount = reader.ReadInt64();
                if (byteCount < 0 || byteCount > end - reader.BaseStream.Position || byteCount > int.MaxValue)
                {
                    throw new CheckpointException(path, string.Create(CultureInfo.InvariantCulture, $"{section} entry '{key}' claims {byteCount} bytes, more than the file holds (or over 2 GB)."));
                }

                // Shape and type are checked against the byte count before anything is allocated: a damaged size must
                // be refused here, not handed to libtorch's allocator.
                int elementSize = ElementSize(dtype)
                    ?? throw new CheckpointException(path, string.Create(CultureInfo.InvariantCulture, $"{section} entry '{key}' has an unknown element type ({(int)dtype})."));
                long needed = elementSize;
                foreach (long size in shape)
                {
                    if (size < 0 || (size > 0 && needed > byteCount / size))
                    {
                        throw new CheckpointException(path, string.Create(CultureInfo.InvariantCulture, $"{section} entry '{key}' has {byteCount} bytes, but {dtype} [{string.Join(", ", shape)}] needs more (or a size is negative)."));
                    }

                    needed *= size;
                }

                if (needed != byteCount)
                {
                    throw new CheckpointException(path, string.Create(CultureInfo.InvariantCulture, $"{section} entry '{key}' has {byteCount} bytes, but {dtype} [{string.Join(", ", shape)}] needs {needed}."));
                }

                Tensor value = empty(shape, dtype);
                value.bytes = reader.ReadBytes((int)byteCount);
                if (!result.TryAdd(key, value.DetachFromDisposeScope()))
                {
                    value.Dispose();
                    throw new CheckpointException(path, $"{section} entry '{key}' appears twice.");
                }
            }
        }
        catch
        {
            foreach (Tensor t in result.Values) t.Dispose();
            throw;
        }

        return result;
    }

    /// <summary>What is wrong with metadata that parsed as JSON but that no trainer writes (a field missing or out of range); null when nothing is.</summary>
    private static string? Fault(Metadata m)
    {
        if (string.IsNullOrEmpty(m.Method)) return "it names no method.";
        if (m.MethodSettings is null || m.Options is null) return "the method settings or the trainer options are missing.";
        if (m.Library is null) return "the library version is missing.";
        if (m.Step < 0 || m.TotalSteps < 0) return string.Create(CultureInfo.InvariantCulture, $"step {m.Step} of {m.TotalSteps} is negative.");
        if (!Enum.IsDefined(m.Optimizer)) return string.Create(CultureInfo.InvariantCulture, $"optimizer {(int)m.Optimizer} is not one this library knows.");
        if (m.WeightAverageUpdates < 0) return "the weight average's update count is negative.";
        if ((m.NormalisationMean is null) != (m.NormalisationStd is null)) return "it has a normalisation mean without a std, or the reverse.";
        if (m.NormalisationMean is not null)
        {
            try
            {
                _ = new ChannelNormalisation(m.NormalisationMean, m.NormalisationStd!);
            }
            catch (ArgumentException ex)
            {
                return "its input normalisation is invalid: " + ex.Message;
            }
        }

        return null;
    }

    /// <summary>The bytes per element of the tensor types a checkpoint can hold; null for any other value.</summary>
    private static int? ElementSize(ScalarType dtype) => dtype switch
    {
        ScalarType.Byte or ScalarType.Int8 or ScalarType.Bool => 1,
        ScalarType.Int16 or ScalarType.Float16 or ScalarType.BFloat16 => 2,
        ScalarType.Int32 or ScalarType.Float32 => 4,
        ScalarType.Int64 or ScalarType.Float64 or ScalarType.ComplexFloat32 => 8,
        ScalarType.ComplexFloat64 => 16,
        _ => null,
    };

    /// <summary>Forwards writes and feeds them to a hash.</summary>
    private sealed class HashingWriteStream(Stream inner, IncrementalHash hash) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            hash.AppendData(buffer);
            inner.Write(buffer);
        }
    }
}
