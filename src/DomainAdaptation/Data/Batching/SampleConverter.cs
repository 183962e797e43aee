using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Data.Batching;

/// <summary>
/// Turns stored samples (CPU, uint8 or float) into network input: moved to the device, converted to the training
/// dtype, uint8 scaled by 1/255, then normalised per channel. Used for training batches and evaluation alike, so both
/// see exactly the same input transformation.
/// </summary>
/// <remarks>
/// The stored tensor is moved to the device <em>before</em> conversion: a uint8 batch crosses the host–device link at
/// a quarter of the bytes of its float32 form. On the CPU the order makes no difference to the values.
/// </remarks>
public sealed class SampleConverter : IDisposable
{
    private readonly Tensor? _mean;
    private readonly Tensor? _std;

    /// <summary>Creates a converter.</summary>
    /// <param name="dtype">The training dtype: Float32 or Float64.</param>
    /// <param name="device">The device batches go to.</param>
    /// <param name="normalisation">The per-channel normalisation, or null for none.</param>
    /// <exception cref="ArgumentException">When <paramref name="dtype"/> is not a supported floating-point type.</exception>
    public SampleConverter(ScalarType dtype, Device device, ChannelNormalisation? normalisation = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (dtype is not (ScalarType.Float32 or ScalarType.Float64))
        {
            throw new ArgumentException($"The training dtype must be Float32 or Float64, but was {dtype}.", nameof(dtype));
        }

        Dtype = dtype;
        Device = device;
        Normalisation = normalisation;
        if (normalisation is not null)
        {
            _mean = tensor(normalisation.Mean.ToArray(), dtype: dtype, device: device).DetachFromDisposeScope();
            _std = tensor(normalisation.Std.ToArray(), dtype: dtype, device: device).DetachFromDisposeScope();
        }
    }

    /// <summary>The training dtype.</summary>
    public ScalarType Dtype { get; }

    /// <summary>The device.</summary>
    public Device Device { get; }

    /// <summary>The per-channel normalisation, or null.</summary>
    public ChannelNormalisation? Normalisation { get; }

    /// <summary>Converts a batch of stored samples.</summary>
    /// <param name="stored">Samples <c>[B, C, ...]</c> (or <c>[B, F]</c>), uint8 or float, on any device.</param>
    /// <returns>A new tensor (never sharing memory with <paramref name="stored"/>) of the same shape in <see cref="Dtype"/> on <see cref="Device"/>.</returns>
    /// <exception cref="ArgumentException">When the channel count disagrees with the normalisation.</exception>
    public Tensor Convert(Tensor stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (stored.dim() < 2)
        {
            throw new ArgumentException($"A batch must have shape [B, C, ...], but had [{string.Join(", ", stored.shape)}].", nameof(stored));
        }

        bool scale = stored.dtype == ScalarType.Byte;
        bool moved = stored.dtype != Dtype || stored.device_type != Device.type || stored.device_index != Device.index;
        // Without a dtype or device change, `to` returns an alias of the storage: operate out of place only, and copy
        // when nothing else would, so neither the data set nor the caller's batch can ever share memory.
        Tensor x = stored.to(Device).to_type(Dtype);
        if (scale) x = x.div(255.0);
        if (_mean is not null && _std is not null)
        {
            if (stored.shape[1] != _mean.shape[0])
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The normalisation has {_mean.shape[0]} channels but the batch has {stored.shape[1]} (dimension 1 of [{string.Join(", ", stored.shape)}])."), nameof(stored));
            }

            long[] view = new long[stored.dim()];
            Array.Fill(view, 1L);
            view[1] = -1;
            x = x.sub(_mean.view(view)).div_(_std.view(view));
        }
        else if (!scale && !moved)
        {
            x = x.clone();
        }

        return x;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _mean?.Dispose();
        _std?.Dispose();
    }
}
