using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace TcpHealth.Agent.Web;

/// <summary>
/// A small HTTP/1.1 server (optionally under TLS) for the agent's few GET endpoints. Kestrel did
/// this before and cost ~15 MiB of the agent's RSS (its code, the hosting and DI stack, its buffer
/// pools) for four tiny endpoints; this keeps what a scraper needs: keep-alive, bounded heads,
/// timeouts against slow or idle clients, a connection limit, and a graceful stop.
/// </summary>
internal sealed class HttpServer : IAsyncDisposable
{
    /// <summary>Connections beyond this are closed as soon as accepted: a scraper needs one or two.</summary>
    public const int MaxConnections = 64;

    private readonly Func<HttpRequest, CancellationToken, ValueTask<HttpResponse>> _handler;
    private readonly SslServerAuthenticationOptions? _tls;
    private readonly HttpServerTimeouts _timeouts;
    private readonly List<Socket> _listeners = [];
    private readonly List<Task> _acceptLoops = [];
    private readonly ConcurrentDictionary<Task, byte> _connections = new();
    private readonly CancellationTokenSource _stopping = new(), _abort = new();
    private int _open;

    public HttpServer(Func<HttpRequest, CancellationToken, ValueTask<HttpResponse>> handler, SslServerAuthenticationOptions? tls, HttpServerTimeouts timeouts)
    {
        _handler = handler;
        _tls = tls;
        _timeouts = timeouts;
    }

    /// <summary>Where it listens, with real ports (port 0 asks the kernel for one).</summary>
    public IEnumerable<IPEndPoint> LocalEndPoints => _listeners.Select(l => (IPEndPoint)l.LocalEndPoint!);

    /// <summary>Binds one address and starts accepting on it; throws <see cref="IOException"/> naming the address when it cannot.</summary>
    public void Listen(IPEndPoint endpoint)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endpoint.Address.Equals(IPAddress.IPv6Any))
                socket.DualMode = true; // [::] takes IPv4 too, as Go's and Kestrel's wildcard listeners do
            socket.Bind(endpoint);
            socket.Listen(128);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new IOException($"cannot listen on {endpoint}: {e.Message}", e);
        }
        _listeners.Add(socket);
        _acceptLoops.Add(AcceptLoop(socket));
    }

    private async Task AcceptLoop(Socket listener)
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException || _stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                // Out of file descriptors, or a client gone before it was accepted: the listener itself is fine.
                Console.Error.WriteLine($"tcphealth: warning: accepting a connection on {listener.LocalEndPoint} failed: {e.Message}");
                await Task.Delay(100);
                continue;
            }
            if (Interlocked.Increment(ref _open) > MaxConnections)
            {
                Interlocked.Decrement(ref _open);
                client.Dispose();
                continue;
            }
            client.NoDelay = true;
            var task = Serve(client);
            _connections[task] = 0;
            _ = task.ContinueWith(t => _connections.TryRemove(t, out _), TaskScheduler.Default);
        }
    }

    private async Task Serve(Socket socket)
    {
        var buffer = new byte[HttpRequestParser.MaxHeadBytes];
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            if (_tls is not null)
            {
                var ssl = new SslStream(stream);
                stream = ssl;
                using var handshake = Deadline(_timeouts.Head, _stopping.Token);
                await ssl.AuthenticateAsServerAsync(_tls, handshake.Token);
            }

            int filled = 0;
            while (!_stopping.IsCancellationRequested)
            {
                var (request, headLength, read) = await ReadHead(stream, buffer, filled);
                if (request is null)
                    return; // closed, idle for too long, or stopping
                // A GET may carry a (meaningless) body: a small one is dropped with the head, keeping the connection usable.
                if (request.ContentLength > buffer.Length)
                    throw new BadRequestException(413, "request bodies are not accepted");
                filled = await Discard(stream, buffer, read, headLength + (int)request.ContentLength);

                if (request.Method != "GET")
                {
                    // Closed after: a HEAD response has no body, and no other method is worth keeping a connection for.
                    var refusal = HttpResponse.Text(405, "method not allowed: only GET is served\n", ("Allow", "GET"));
                    await Write(stream, request.Method == "HEAD" ? refusal with { Body = default } : refusal, close: true);
                    return;
                }
                var response = await _handler(request, _abort.Token);
                bool close = !request.KeepAlive || _stopping.IsCancellationRequested;
                await Write(stream, response, close);
                if (close)
                    return;
            }
        }
        catch (BadRequestException e)
        {
            await TryWrite(stream, HttpResponse.Text(e.Status, e.Message + "\n"));
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
        {
            // The client went away, timed out or failed the TLS handshake: nothing to answer.
        }
        finally
        {
            await stream.DisposeAsync();
            Interlocked.Decrement(ref _open);
        }
    }

    // Reads until a whole head is in the buffer. Waiting for a request to begin ends with stopping or
    // after the keep-alive timeout (null); a head, once begun, must arrive within the head timeout.
    private async Task<(HttpRequest? Request, int HeadLength, int Filled)> ReadHead(Stream stream, byte[] buffer, int filled)
    {
        while (true)
        {
            int head = HttpRequestParser.HeadLength(buffer.AsSpan(0, filled));
            if (head > 0)
                return (HttpRequestParser.Parse(buffer.AsSpan(0, head)), head, filled);
            if (filled == buffer.Length)
                throw new BadRequestException(431, $"request head over {HttpRequestParser.MaxHeadBytes} bytes");

            using var deadline = filled == 0
                ? Deadline(_timeouts.KeepAlive, _stopping.Token)
                : Deadline(_timeouts.Head, _abort.Token);
            int n;
            try
            {
                n = await stream.ReadAsync(buffer.AsMemory(filled), deadline.Token);
            }
            catch (OperationCanceledException) when (filled == 0)
            {
                return (null, 0, 0);
            }
            catch (OperationCanceledException)
            {
                throw new BadRequestException(408, "request head not received in time");
            }
            if (n == 0)
                return (null, 0, 0);
            filled += n;
        }
    }

    // Drops the first `count` bytes of the input, of which `filled` are in the buffer (the rest is
    // read), and moves what follows them (a pipelined request) to the front; returns its length.
    private async Task<int> Discard(Stream stream, byte[] buffer, int filled, int count)
    {
        if (filled < count)
        {
            using var deadline = Deadline(_timeouts.Head, _abort.Token);
            while (filled < count)
            {
                count -= filled;
                filled = await stream.ReadAsync(buffer, deadline.Token);
                if (filled == 0)
                    throw new IOException("closed within the request body");
            }
        }
        Array.Copy(buffer, count, buffer, 0, filled - count);
        return filled - count;
    }

    private async Task Write(Stream stream, HttpResponse response, bool close)
    {
        try
        {
            using var deadline = Deadline(_timeouts.Write, _abort.Token);
            await stream.WriteAsync(response.Head(close), deadline.Token);
            await stream.WriteAsync(response.Body, deadline.Token);
            await stream.FlushAsync(deadline.Token);
        }
        finally
        {
            response.Owner?.Dispose();
        }
    }

    private async Task TryWrite(Stream stream, HttpResponse response)
    {
        try
        {
            await Write(stream, response, close: true);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private static CancellationTokenSource Deadline(TimeSpan after, CancellationToken token)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(token);
        cts.CancelAfter(after);
        return cts;
    }

    /// <summary>
    /// Stops accepting and closes idle connections at once; requests in flight get until
    /// <paramref name="grace"/> to finish, then their connections are cut.
    /// </summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_stopping.IsCancellationRequested)
            return;
        _stopping.Cancel();
        foreach (var l in _listeners)
            l.Dispose();
        await Task.WhenAll(_acceptLoops);
        var open = Task.WhenAll(_connections.Keys);
        if (await Task.WhenAny(open, Task.Delay(grace)) != open)
        {
            _abort.Cancel();
            await open;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.Zero);
        _stopping.Dispose();
        _abort.Dispose();
    }
}

/// <summary>How long the server waits for clients.</summary>
/// <param name="KeepAlive">An idle kept-alive connection is closed after this (Kestrel: 130 s; Prometheus scrapes at most every few minutes).</param>
/// <param name="Head">A request head (and TLS handshake), once begun, must arrive within this.</param>
/// <param name="Write">A response must be taken by the client within this.</param>
internal sealed record HttpServerTimeouts(TimeSpan KeepAlive, TimeSpan Head, TimeSpan Write)
{
    public static HttpServerTimeouts Default { get; } = new(TimeSpan.FromSeconds(130), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30));
}
