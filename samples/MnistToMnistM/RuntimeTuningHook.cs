using TorchSharp;

namespace MnistToMnistM;

/// <summary>Applies thread settings (and, once the library's runtime tuning lands, allocator tuning) at start-up.</summary>
internal static class RuntimeTuningHook
{
    public static void Apply(int threads)
    {
        if (threads > 0) torch.set_num_threads(threads);
    }
}
