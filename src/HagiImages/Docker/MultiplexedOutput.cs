using System.Text;
using Docker.DotNet;

namespace HagiImages.Docker;

/// <summary>
/// Reads a Docker output stream to its end, keeping standard output and standard error apart and the
/// interleaved order of both.
/// </summary>
internal sealed class MultiplexedOutput
{
    private readonly MemoryStream stdout = new();
    private readonly MemoryStream stderr = new();
    private readonly MemoryStream combined = new();

    public string Stdout => Decode(stdout);

    public string Stderr => Decode(stderr);

    /// <summary>Both streams in the order the engine sent their frames.</summary>
    public string Combined => Decode(combined);

    /// <summary>
    /// Copies frames into the buffers until the engine closes the stream or <paramref name="cancellationToken"/>
    /// fires; what was read before cancellation stays in the buffers.
    /// </summary>
    public async Task ReadToEndAsync(MultiplexedStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        while (true)
        {
            var result = await stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false);
            if (result.EOF)
            {
                return;
            }

            var target = result.Target == MultiplexedStream.TargetStream.StandardError ? stderr : stdout;
            target.Write(buffer, 0, result.Count);
            combined.Write(buffer, 0, result.Count);
        }
    }

    private static string Decode(MemoryStream buffer) =>
        Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
}
