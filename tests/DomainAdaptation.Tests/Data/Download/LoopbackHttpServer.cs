using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DomainAdaptation.Tests.Data.Download;

/// <summary>What the test server does with one request.</summary>
internal abstract record ServerResponse
{
    /// <summary>200 with the body and its Content-Length.</summary>
    public sealed record Body(byte[] Content) : ServerResponse;

    /// <summary>A status without a body (404, 500, …).</summary>
    public sealed record Status(int Code, string Reason) : ServerResponse;

    /// <summary>200 announcing the full Content-Length, then only the first <c>SendBytes</c> bytes, then the connection is cut.</summary>
    public sealed record CutAfter(byte[] Content, int SendBytes) : ServerResponse;

    /// <summary>200 announcing the full Content-Length, then the first <c>SendBytes</c> bytes, then nothing until the server stops.</summary>
    public sealed record Stall(byte[] Content, int SendBytes) : ServerResponse;
}

/// <summary>
/// A tiny real HTTP/1.1 server on 127.0.0.1 (a free port chosen by the OS): one request per connection
/// (<c>Connection: close</c>), GET only, responses chosen by a handler from the path and how often it was asked for.
/// </summary>
internal sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<string, int, ServerResponse> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, int> _hits = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly Task _acceptLoop;

    public LoopbackHttpServer(Func<string, int, ServerResponse> handler)
    {
        _handler = handler;
        _listener.Start();
        BaseUri = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public Uri BaseUri { get; }

    /// <summary>The request paths in arrival order.</summary>
    public IReadOnlyList<string> Requests => _requests.ToArray();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _acceptLoop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                NetworkStream stream = client.GetStream();
                string? path = await ReadRequestPathAsync(stream);
                if (path is null) return;
                _requests.Enqueue(path);
                int hit = _hits.AddOrUpdate(path, 1, (_, n) => n + 1);
                switch (_handler(path, hit))
                {
                    case ServerResponse.Body body:
                        await WriteHeadAsync(stream, 200, "OK", body.Content.Length);
                        await stream.WriteAsync(body.Content, _stop.Token);
                        break;
                    case ServerResponse.Status status:
                        await WriteHeadAsync(stream, status.Code, status.Reason, 0);
                        break;
                    case ServerResponse.CutAfter cut:
                        await WriteHeadAsync(stream, 200, "OK", cut.Content.Length);
                        await stream.WriteAsync(cut.Content.AsMemory(0, cut.SendBytes), _stop.Token);
                        await stream.FlushAsync(_stop.Token);
                        client.LingerState = new LingerOption(true, 0); // close with a reset: the connection is cut mid-file
                        break;
                    case ServerResponse.Stall stall:
                        await WriteHeadAsync(stream, 200, "OK", stall.Content.Length);
                        await stream.WriteAsync(stall.Content.AsMemory(0, stall.SendBytes), _stop.Token);
                        await stream.FlushAsync(_stop.Token);
                        await Task.Delay(Timeout.Infinite, _stop.Token);
                        break;
                }

                await stream.FlushAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client went away or the server stopped.
            }
        }
    }

    private static async Task<string?> ReadRequestPathAsync(NetworkStream stream)
    {
        var head = new StringBuilder();
        byte[] one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one) == 0) return null;
            head.Append((char)one[0]);
            if (head.Length > 16 * 1024) return null;
        }

        string[] requestLine = head.ToString().Split("\r\n")[0].Split(' ');
        return requestLine.Length == 3 && requestLine[0] == "GET" ? Uri.UnescapeDataString(requestLine[1]) : null;
    }

    private async Task WriteHeadAsync(NetworkStream stream, int code, string reason, long length)
    {
        string head = $"HTTP/1.1 {code} {reason}\r\nContent-Length: {length}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), _stop.Token);
    }
}
