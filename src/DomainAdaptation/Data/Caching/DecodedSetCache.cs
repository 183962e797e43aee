using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using DomainAdaptation.Data.Formats;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace DomainAdaptation.Data.Caching;

/// <summary>
/// A cache of decoded uint8 sample sets: one file per entry holding a small header, the raw tensor bytes, the int64
/// labels and a SHA-256 of everything before it. The header carries the key of the source it was decoded from
/// (e.g. the SHA-256 of an archive); a different key means the source changed and the entry is rebuilt. A file
/// that fails any check (length, header, labels, checksum) is treated as corrupt and rebuilt, never trusted.
/// Files are written to a temporary name and renamed into place, so readers never see a partial file.
/// </summary>
internal sealed class DecodedSetCache
{
    /// <summary>The file extension of cache entries.</summary>
    public const string Extension = ".dacache";

    private const int FormatVersion = 1;
    private const int FixedHeaderBytes = 56;
    private const int MaxRank = 8;
    private const int ChunkBytes = 1 << 22;
    private static ReadOnlySpan<byte> Magic => "DACACHE1"u8;

    private readonly string _directory;
    private readonly ILogger _logger;

    public DecodedSetCache(string directory, ILogger logger)
    {
        _directory = directory;
        _logger = logger;
    }

    /// <summary>The path of an entry's file.</summary>
    public string PathFor(string entryName) => Path.Combine(_directory, entryName + Extension);

    /// <summary>Loads an entry decoded from the source identified by <paramref name="sourceKey"/>, or returns null.</summary>
    /// <param name="entryName">The entry's file name without extension.</param>
    /// <param name="sourceKey">A 32-byte key of the source (content checksum and decoding settings).</param>
    /// <param name="setName">The returned set's name.</param>
    /// <returns>The set, or null when missing, stale or corrupt (the reason is logged).</returns>
    public SampleSet? TryLoad(string entryName, ReadOnlySpan<byte> sourceKey, string setName)
    {
        string path = PathFor(entryName);
        if (!File.Exists(path))
        {
            DataLog.CacheMiss(_logger, setName, path, "no cache file yet");
            return null;
        }

        var watch = Stopwatch.StartNew();
        try
        {
            SampleSet? set = Read(path, sourceKey, setName, out string? staleReason);
            if (set is null)
            {
                DataLog.CacheMiss(_logger, setName, path, staleReason!);
                return null;
            }

            DataLog.CacheHit(_logger, setName, set.Count, set.Shape.ToString(), path, watch.ElapsedMilliseconds);
            return set;
        }
        catch (CorruptCacheException ex)
        {
            DataLog.CacheCorrupt(_logger, path, setName, ex.Message);
            return null;
        }
        catch (IOException ex)
        {
            DataLog.CacheCorrupt(_logger, path, setName, "unreadable: " + ex.Message);
            return null;
        }
        catch (UnauthorizedAccessException ex)
        {
            DataLog.CacheCorrupt(_logger, path, setName, "unreadable: " + ex.Message);
            return null;
        }
    }

    /// <summary>Writes an entry atomically; a failure is logged, not thrown (the data are already loaded).</summary>
    /// <param name="entryName">The entry's file name without extension.</param>
    /// <param name="sourceKey">The 32-byte source key.</param>
    /// <param name="set">A uint8 set.</param>
    public void Store(string entryName, ReadOnlySpan<byte> sourceKey, SampleSet set)
    {
        string path = PathFor(entryName);
        string temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            Directory.CreateDirectory(_directory);
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                byte[] header = BuildHeader(sourceKey, set);
                Write(file, hash, header);
                Span<byte> pixels = set.Samples.contiguous().bytes;
                for (int offset = 0; offset < pixels.Length; offset += ChunkBytes)
                {
                    Write(file, hash, pixels.Slice(offset, Math.Min(ChunkBytes, pixels.Length - offset)));
                }

                if (set.Labels is not null)
                {
                    long[] labels = set.Labels.data<long>().ToArray();
                    Write(file, hash, MemoryMarshal.AsBytes(labels.AsSpan()));
                }

                file.Write(hash.GetHashAndReset());
                file.Flush();
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            DataLog.CacheWriteFailed(_logger, ex, path, set.Name);
            TryDelete(temporary);
        }
    }

    /// <summary>A 32-byte key from parts (checksums, names, versions), for <see cref="TryLoad"/> and <see cref="Store"/>.</summary>
    public static byte[] Key(params string[] parts) => SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", parts)));

    private static void Write(FileStream file, IncrementalHash hash, ReadOnlySpan<byte> bytes)
    {
        hash.AppendData(bytes);
        file.Write(bytes);
    }

    private static byte[] BuildHeader(ReadOnlySpan<byte> sourceKey, SampleSet set)
    {
        if (set.StorageType != ScalarType.Byte) throw new ArgumentException("Only uint8 sets are cached.", nameof(set));
        if (sourceKey.Length != 32) throw new ArgumentException("The source key must be 32 bytes.", nameof(sourceKey));
        long[] dims = set.Samples.shape;
        var header = new byte[FixedHeaderBytes + (8 * dims.Length)];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), FormatVersion);
        sourceKey.CopyTo(header.AsSpan(12));
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(44), set.ClassCount);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(48), set.Labels is null ? 0 : 1);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(52), dims.Length);
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(FixedHeaderBytes + (8 * i)), dims[i]);
        return header;
    }

    private static SampleSet? Read(string path, ReadOnlySpan<byte> sourceKey, string setName, out string? staleReason)
    {
        staleReason = null;
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long length = file.Length;
        var fixedHeader = new byte[FixedHeaderBytes];
        ReadExactly(file, hash, fixedHeader);
        if (!fixedHeader.AsSpan(0, 8).SequenceEqual(Magic)) throw new CorruptCacheException("it does not start with the cache magic bytes");
        int version = BinaryPrimitives.ReadInt32LittleEndian(fixedHeader.AsSpan(8));
        if (version != FormatVersion)
        {
            staleReason = $"written by cache format version {version}, this library uses {FormatVersion}";
            return null;
        }

        if (!fixedHeader.AsSpan(12, 32).SequenceEqual(sourceKey))
        {
            staleReason = "the source changed since the cache was written";
            return null;
        }

        int classCount = BinaryPrimitives.ReadInt32LittleEndian(fixedHeader.AsSpan(44));
        int hasLabels = BinaryPrimitives.ReadInt32LittleEndian(fixedHeader.AsSpan(48));
        int rank = BinaryPrimitives.ReadInt32LittleEndian(fixedHeader.AsSpan(52));
        if (classCount is < 0 or > 1 << 20 || hasLabels is not (0 or 1) || rank is < 2 or > MaxRank)
        {
            throw new CorruptCacheException($"its header is invalid (classes {classCount}, labels flag {hasLabels}, rank {rank})");
        }

        var dimBytes = new byte[8 * rank];
        ReadExactly(file, hash, dimBytes);
        var dims = new long[rank];
        long elements = 1;
        for (int i = 0; i < rank; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt64LittleEndian(dimBytes.AsSpan(8 * i));
            if (dims[i] <= 0 || dims[i] > int.MaxValue) throw new CorruptCacheException($"dimension {i} is {dims[i]}");
            elements = checked(elements * dims[i]);
            if (elements > int.MaxValue) throw new CorruptCacheException("it claims more than 2^31 bytes of samples");
        }

        long count = dims[0];
        long expected = FixedHeaderBytes + dimBytes.Length + elements + (hasLabels * 8 * count) + 32;
        if (length != expected) throw new CorruptCacheException($"it has {length:N0} bytes but its header implies {expected:N0}");

        Tensor samples = empty(dims, ScalarType.Byte);
        Tensor? labels = null;
        try
        {
            Span<byte> pixels = samples.bytes;
            for (int offset = 0; offset < pixels.Length; offset += ChunkBytes)
            {
                ReadExactly(file, hash, pixels.Slice(offset, Math.Min(ChunkBytes, pixels.Length - offset)));
            }

            long[]? labelValues = null;
            if (hasLabels == 1)
            {
                labelValues = new long[count];
                ReadExactly(file, hash, MemoryMarshal.AsBytes(labelValues.AsSpan()));
            }

            var stored = new byte[32];
            ReadExactly(file, null, stored);
            if (!hash.GetHashAndReset().AsSpan().SequenceEqual(stored)) throw new CorruptCacheException("its SHA-256 checksum does not match its content");
            if (labelValues is not null)
            {
                int bound = classCount == 0 ? int.MaxValue : classCount;
                if (labelValues.Any(l => l < 0 || l >= bound)) throw new CorruptCacheException("a label is out of range");
                labels = tensor(labelValues, ScalarType.Int64);
            }

            return new SampleSet(setName, samples, labels, classCount);
        }
        catch
        {
            samples.Dispose();
            labels?.Dispose();
            throw;
        }
    }

    private static void ReadExactly(FileStream file, IncrementalHash? hash, Span<byte> buffer)
    {
        int n = file.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (n < buffer.Length) throw new CorruptCacheException("it is truncated");
        hash?.AppendData(buffer);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private sealed class CorruptCacheException(string message) : Exception(message);
}
