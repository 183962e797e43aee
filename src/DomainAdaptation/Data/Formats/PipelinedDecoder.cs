using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace DomainAdaptation.Data.Formats;

/// <summary>
/// Decodes fixed-size items on worker threads while the caller keeps reading (e.g. an archive, whose gzip stream
/// is read on one thread). Each posted item gets a slot in large chunk buffers (so ~60,000 decoded images do not
/// become ~60,000 small objects for the GC to promote); results are looked up by name. A decoding error is kept
/// with its item and raised only if that item is asked for, so files nobody asks for cannot fail a load.
/// </summary>
internal sealed class PipelinedDecoder : IDisposable
{
    private const int ItemsPerChunk = 4096;
    private const int ItemsPerBatch = 64;

    private readonly BlockingCollection<List<Item>> _queue;
    private List<Item> _batch = new(ItemsPerBatch);
    private readonly Dictionary<string, int> _slots = new(StringComparer.Ordinal);
    private readonly List<byte[]> _chunks = [];
    private readonly ConcurrentDictionary<int, ExceptionDispatchInfo> _errors = new();
    private readonly Task[] _workers;
    private readonly CancellationTokenSource _stop;
    private readonly int _itemBytes;

    /// <param name="workers">The number of decoding threads.</param>
    /// <param name="itemBytes">The decoded size of every item.</param>
    /// <param name="decode">Decodes one item (name for messages, its bytes) into its output slot.</param>
    /// <param name="cancellationToken">Stops the workers.</param>
    public PipelinedDecoder(int workers, int itemBytes, DecodeAction decode, CancellationToken cancellationToken)
    {
        _itemBytes = itemBytes;
        _queue = new BlockingCollection<List<Item>>(boundedCapacity: 64);
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        CancellationToken token = _stop.Token;
        _workers = Enumerable.Range(0, Math.Max(1, workers)).Select(_ => Task.Factory.StartNew(() =>
        {
            foreach (List<Item> batch in _queue.GetConsumingEnumerable(token))
            {
                foreach ((int slot, string name, byte[] data, int length) in batch)
                {
                    try
                    {
                        byte[] chunk;
                        lock (_chunks) chunk = _chunks[slot / ItemsPerChunk];
                        decode(name, data.AsMemory(0, length), chunk.AsSpan(slot % ItemsPerChunk * _itemBytes, _itemBytes));
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        // Kept with the item (raised only if it is asked for); a worker never dies on bad input,
                        // so the reader can never block on a full queue that nobody drains.
                        _errors[slot] = ExceptionDispatchInfo.Capture(ex);
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(data);
                    }
                }
            }
        }, token, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
    }

    /// <summary>Decodes one item into its output slot.</summary>
    public delegate void DecodeAction(string name, ReadOnlyMemory<byte> data, Span<byte> destination);

    /// <summary>The number of items posted.</summary>
    public int Count => _slots.Count;

    /// <summary>
    /// Queues one item; <paramref name="rentedData"/> must come from <see cref="ArrayPool{T}.Shared"/> and is returned
    /// to it after decoding. Blocks while the queue is full. Call from one thread.
    /// </summary>
    public void Post(string name, byte[] rentedData, int length)
    {
        int slot = _slots.Count;
        _slots.Add(name, slot);
        if (slot % ItemsPerChunk == 0)
        {
            lock (_chunks) _chunks.Add(new byte[(long)ItemsPerChunk * _itemBytes]);
        }

        _batch.Add(new Item(slot, name, rentedData, length));
        if (_batch.Count == ItemsPerBatch) Flush();
    }

    private void Flush()
    {
        if (_batch.Count == 0) return;
        _queue.Add(_batch, _stop.Token);
        _batch = new List<Item>(ItemsPerBatch);
    }

    /// <summary>Whether an item of this name was posted.</summary>
    public bool Contains(string name) => _slots.ContainsKey(name);

    /// <summary>Waits until every queued item is decoded.</summary>
    public void Complete()
    {
        Flush();
        _queue.CompleteAdding();
        try
        {
            Task.WaitAll(_workers);
        }
        catch (AggregateException ex)
        {
            ExceptionDispatchInfo.Capture(ex.Flatten().InnerExceptions[0]).Throw();
        }
    }

    /// <summary>Copies a decoded item to <paramref name="destination"/>, or rethrows its decoding error.</summary>
    /// <exception cref="KeyNotFoundException">When no item of that name was posted.</exception>
    public void CopyTo(string name, Span<byte> destination)
    {
        int slot = _slots[name];
        if (_errors.TryGetValue(slot, out ExceptionDispatchInfo? error)) error.Throw();
        _chunks[slot / ItemsPerChunk].AsSpan(slot % ItemsPerChunk * _itemBytes, _itemBytes).CopyTo(destination);
    }

    public void Dispose()
    {
        foreach (Item item in _batch) ArrayPool<byte>.Shared.Return(item.Data);
        _batch.Clear();
        if (!_queue.IsAddingCompleted)
        {
            _stop.Cancel();
            _queue.CompleteAdding();
            try
            {
                Task.WaitAll(_workers);
            }
            catch (AggregateException)
            {
                // Cancelled on an error path: the original error is what the caller sees.
            }
        }

        _queue.Dispose();
        _stop.Dispose();
    }

    private readonly record struct Item(int Slot, string Name, byte[] Data, int Length);
}
