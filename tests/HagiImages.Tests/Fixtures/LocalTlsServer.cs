using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace HagiImages.Tests.Fixtures;

/// <summary>
/// An HTTPS server on 127.0.0.1 and a free port that responds to every GET with the same body and closes the
/// connection. It accepts at most <c>maxConnections</c> connections, one at a time, and stops on dispose.
/// </summary>
internal sealed class LocalTlsServer : IDisposable
{
    private const int MaxHeaderBytes = 16 * 1024;
    private static readonly TimeSpan ConnectionTimeout = TimeSpan.FromSeconds(10);

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly SslStreamCertificateContext _certificateContext;
    private readonly byte[] _body;
    private readonly int _maxConnections;
    private readonly Task _loop;

    /// <param name="certificate">The server certificate with its private key. The caller keeps and disposes it.</param>
    /// <param name="body">The body of every 200 response.</param>
    /// <param name="maxConnections">How many connections the server accepts before it stops accepting.</param>
    public LocalTlsServer(X509Certificate2 certificate, byte[] body, int maxConnections = 4)
    {
        // offline: true keeps the server from fetching issuer certificates while it builds the chain it sends.
        _certificateContext = SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true);
        _body = body;
        _maxConnections = maxConnections;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    public Uri Url => new($"https://127.0.0.1:{Port}/");

    /// <summary>The request targets of the GET requests that got a response, in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public void Dispose()
    {
        _stopping.Cancel();
        _listener.Stop();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException exception) when (exception.InnerExceptions.All(inner => inner is OperationCanceledException or SocketException or ObjectDisposedException or InvalidOperationException))
        {
            // The accept call ends with one of these when the listener stops before or during the call.
        }

        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            for (var served = 0; served < _maxConnections; served++)
            {
                using var client = await _listener.AcceptTcpClientAsync(_stopping.Token).ConfigureAwait(false);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                timeout.CancelAfter(ConnectionTimeout);
                await ServeAsync(client, timeout.Token).ConfigureAwait(false);
            }
        }
        finally
        {
            // Further connections are refused instead of waiting in the backlog.
            _listener.Stop();
        }
    }

    private async Task ServeAsync(TcpClient client, CancellationToken cancellationToken)
    {
        await using var tls = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
        try
        {
            var options = new SslServerAuthenticationOptions { ServerCertificateContext = _certificateContext, ClientCertificateRequired = false };
            await tls.AuthenticateAsServerAsync(options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is AuthenticationException or IOException or OperationCanceledException)
        {
            // The client rejected the certificate, or the server is stopping.
            return;
        }

        try
        {
            var requestLine = await ReadRequestLineAsync(tls, cancellationToken).ConfigureAwait(false);
            var parts = requestLine.Split(' ');
            var isGet = parts is ["GET", _, _];
            if (isGet)
            {
                Requests.Enqueue(parts[1]);
            }

            var response = isGet ? Respond(200, "OK", _body) : Respond(405, "Method Not Allowed", []);
            await tls.WriteAsync(response, cancellationToken).ConfigureAwait(false);
            await tls.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException)
        {
            // The client closed the connection or the server is stopping, so no response is sent.
        }
    }

    // Reads the request head up to the empty line and returns its first line.
    private static async Task<string> ReadRequestLineAsync(SslStream tls, CancellationToken cancellationToken)
    {
        var head = new List<byte>();
        var buffer = new byte[1024];
        while (head.Count < MaxHeaderBytes)
        {
            var read = await tls.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            head.AddRange(buffer.AsSpan(0, read));
            if (Encoding.ASCII.GetString(head.ToArray()).Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                break;
            }
        }

        var text = Encoding.ASCII.GetString(head.ToArray());
        var end = text.IndexOf("\r\n", StringComparison.Ordinal);
        return end < 0 ? text : text[..end];
    }

    private static byte[] Respond(int status, string reason, byte[] body)
    {
        var head = Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {status} {reason}\r\nContent-Type: application/octet-stream\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
        return [.. head, .. body];
    }
}
