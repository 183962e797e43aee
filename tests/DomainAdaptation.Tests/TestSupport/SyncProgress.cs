namespace DomainAdaptation.Tests.TestSupport;

/// <summary>An <see cref="IProgress{T}"/> that reports synchronously on the training thread (unlike <see cref="Progress{T}"/>).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
