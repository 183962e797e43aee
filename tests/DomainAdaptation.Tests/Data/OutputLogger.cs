using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace DomainAdaptation.Tests.Data;

/// <summary>An ILogger that writes to the xunit test output and keeps the messages for assertions.</summary>
public sealed class OutputLogger(ITestOutputHelper? output = null) : ILogger
{
    private readonly List<(EventId Id, string Message)> _entries = [];

    public IReadOnlyList<(EventId Id, string Message)> Entries
    {
        get
        {
            lock (_entries) return _entries.ToList();
        }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        string message = formatter(state, exception);
        lock (_entries) _entries.Add((eventId, message));
        try
        {
            output?.WriteLine($"[{logLevel}] {message}");
        }
        catch (InvalidOperationException)
        {
            // The test has finished; drop the line.
        }
    }
}
