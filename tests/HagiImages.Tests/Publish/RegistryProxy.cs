using System.Net;
using System.Net.Sockets;

namespace HagiImages.Tests.Publish;

/// <summary>
/// A TCP forwarder on a fixed 127.0.0.1 port in front of a registry. <see cref="Stop"/> refuses new connections and
/// cuts open ones, as a registry outage would; <see cref="Start"/> listens again on the same port, so the same
/// references work before and after the outage while the registry keeps its data.
/// </summary>
internal sealed class RegistryProxy : IDisposable
{
    private readonly int targetPort;
    private readonly List<TcpClient> connections = [];
    private TcpListener? listener;
    private CancellationTokenSource? stopping;

    public RegistryProxy(int targetPort)
    {
        this.targetPort = targetPort;
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public int Port { get; }

    public string Address => $"127.0.0.1:{Port}";

    public void Start()
    {
        stopping = new CancellationTokenSource();
        listener = new TcpListener(IPAddress.Loopback, Port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        _ = AcceptAsync(listener, stopping.Token);
    }

    public void Stop()
    {
        stopping?.Cancel();
        listener?.Stop();
        lock (connections)
        {
            foreach (var connection in connections)
            {
                connection.Dispose();
            }

            connections.Clear();
        }
    }

    public void Dispose() => Stop();

    private async Task AcceptAsync(TcpListener server, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await server.AcceptTcpClientAsync(cancellationToken);
            }
            catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = ForwardAsync(client, cancellationToken);
        }
    }

    private async Task ForwardAsync(TcpClient client, CancellationToken cancellationToken)
    {
        var upstream = new TcpClient();
        lock (connections)
        {
            connections.Add(client);
            connections.Add(upstream);
        }

        try
        {
            await upstream.ConnectAsync(IPAddress.Loopback, targetPort, cancellationToken);
            var downstreamStream = client.GetStream();
            var upstreamStream = upstream.GetStream();
            await Task.WhenAny(downstreamStream.CopyToAsync(upstreamStream, cancellationToken), upstreamStream.CopyToAsync(downstreamStream, cancellationToken));
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
            // The proxy was stopped or a side closed the connection.
        }
        finally
        {
            client.Dispose();
            upstream.Dispose();
        }
    }
}
