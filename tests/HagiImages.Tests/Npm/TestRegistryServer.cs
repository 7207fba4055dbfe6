using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace HagiImages.Tests.Npm;

/// <summary>A response of <see cref="TestRegistryServer"/>.</summary>
internal sealed record TestResponse(int Status, string Body = "", TimeSpan Delay = default, string? RetryAfter = null);

/// <summary>A request that <see cref="TestRegistryServer"/> received.</summary>
internal sealed record ReceivedRequest(string Path, string? Authorization, string? Accept);

/// <summary>
/// An HTTP server on 127.0.0.1 and a free port that computes each response with a handler, for registry tests.
/// </summary>
internal sealed class TestRegistryServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Func<ReceivedRequest, TestResponse> _handler;
    private readonly Task _loop;
    private int _active;
    private int _maxActive;

    public TestRegistryServer(Func<ReceivedRequest, TestResponse> handler)
    {
        _handler = handler;
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port}/");

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    /// <summary>The largest number of requests that were in progress at the same time.</summary>
    public int MaxConcurrentRequests => Volatile.Read(ref _maxActive);

    /// <summary>Serves package documents by package name, and 404 for other names.</summary>
    public static TestRegistryServer ForDocuments(IReadOnlyDictionary<string, string> documents) =>
        new(request =>
        {
            var name = Uri.UnescapeDataString(request.Path.TrimStart('/'));
            return documents.TryGetValue(name, out var json) ? new TestResponse(200, json) : new TestResponse(404, "{\"error\":\"Not found\"}");
        });

    public void Dispose()
    {
        _stopping.Cancel();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The loop ends with an exception when the listener closes under it.
        }

        _stopping.Dispose();
    }

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        var active = Interlocked.Increment(ref _active);
        InterlockedMax(ref _maxActive, active);
        try
        {
            var request = new ReceivedRequest(context.Request.RawUrl ?? "/", context.Request.Headers["Authorization"], context.Request.Headers["Accept"]);
            Requests.Enqueue(request);
            var response = _handler(request);
            if (response.Delay > TimeSpan.Zero)
            {
                await Task.Delay(response.Delay, _stopping.Token).ConfigureAwait(false);
            }

            context.Response.StatusCode = response.Status;
            context.Response.ContentType = "application/json";
            if (response.RetryAfter is not null)
            {
                context.Response.Headers["Retry-After"] = response.RetryAfter;
            }

            var body = Encoding.UTF8.GetBytes(response.Body);
            context.Response.ContentLength64 = body.Length;
            await context.Response.OutputStream.WriteAsync(body, _stopping.Token).ConfigureAwait(false);
            context.Response.Close();
        }
        catch (Exception exception) when (exception is OperationCanceledException or HttpListenerException or ObjectDisposedException or IOException)
        {
            // The client went away or the server is stopping.
        }
        finally
        {
            Interlocked.Decrement(ref _active);
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
