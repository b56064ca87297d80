using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Xunit;

namespace Recsys.Testing;

/// <summary>
/// A real Azurite (the npm package pinned in package.json) on loopback, started for a test fixture and stopped with
/// it. Azurite binds port 0 itself and the ports it reports are read back, so no other process can take them
/// between choosing and binding; readiness is Azurite naming itself in its <c>Server</c> header on each port.
/// </summary>
public sealed partial class Azurite : IAsyncDisposable
{
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static readonly string[] s_services = ["Blob", "Queue", "Table"];
    private readonly string? _location;
    private readonly int[] _ports;
    private Process? _process;

    private Azurite(Process process, int[] ports, string? location)
    {
        _process = process;
        _ports = ports;
        _location = location;
        ConnectionString =
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + AccountKey
            + $";BlobEndpoint=http://127.0.0.1:{ports[0]}/devstoreaccount1"
            + $";QueueEndpoint=http://127.0.0.1:{ports[1]}/devstoreaccount1"
            + $";TableEndpoint=http://127.0.0.1:{ports[2]}/devstoreaccount1;";
    }

    /// <summary>Connection string for the Azure SDK clients.</summary>
    public string ConnectionString { get; }

    /// <summary>Starts Azurite with in-memory storage and waits until its three services answer.</summary>
    public static Task<Azurite> StartAsync() => StartAsync(persistent: false);

    /// <summary>
    /// Starts Azurite; <paramref name="persistent"/> keeps its data in a temporary folder, so that it survives
    /// <see cref="StopAsync"/> and <see cref="RestartAsync"/> (outage tests).
    /// </summary>
    public static async Task<Azurite> StartAsync(bool persistent)
    {
        var location = persistent ? Directory.CreateTempSubdirectory("recsys-azurite-").FullName : null;
        var (process, ports) = await LaunchAsync(location, [0, 0, 0]);
        return new Azurite(process, ports, location);
    }

    /// <summary>
    /// Stops Azurite as an outage would (its ports close); <see cref="RestartAsync"/> brings it back. It is asked to
    /// stop (SIGTERM) so that a persistent Azurite writes its databases first, as real storage keeps what it
    /// acknowledged; killed only if it does not stop within ten seconds.
    /// </summary>
    public async Task StopAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            if (!process.HasExited)
            {
                using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                {
                    await term.WaitForExitAsync();
                }

                using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await process.WaitForExitAsync(patience.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync();
                }
            }

            process.Dispose();
        }
    }

    /// <summary>Starts Azurite again on the same ports (and, when persistent, with the same data).</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        (_process, _) = await LaunchAsync(_location, _ports);
    }

    /// <summary>Stops Azurite; its data goes with it.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_location is not null)
        {
            try
            {
                Directory.Delete(_location, recursive: true);
            }
            catch (IOException)
            {
                // A temporary folder; the OS cleans it eventually.
            }
        }
    }

    /// <summary>Free TCP ports on loopback (racy: another process may take them before they are bound).</summary>
    public static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        foreach (var l in listeners)
        {
            l.Start();
        }

        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        foreach (var l in listeners)
        {
            l.Stop();
        }

        return ports;
    }

    [GeneratedRegex(@"Azurite (Blob|Queue|Table) service is successfully listening at http://127\.0\.0\.1:(\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex Listening();

    private static async Task<(Process Process, int[] Ports)> LaunchAsync(string? location, int[] ports)
    {
        var script = Path.Combine(RepositoryPaths.Root, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"Azurite is not installed ({script} is missing): run `npm ci` at the repository root.");
        }

        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var arguments = new List<string> { script, "--silent", "--skipApiVersionCheck", "--disableTelemetry", "--loose" };
        arguments.AddRange(location is null ? ["--inMemoryPersistence"] : ["--location", location]);
        for (var i = 0; i < s_services.Length; i++)
        {
            var service = s_services[i].ToLowerInvariant();
            arguments.AddRange([$"--{service}Host", "127.0.0.1", $"--{service}Port", ports[i].ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        foreach (var arg in arguments)
        {
            start.ArgumentList.Add(arg);
        }

        var bound = s_services.ToDictionary(s => s, _ => new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously));
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            output.Enqueue(e.Data);
            if (Listening().Match(e.Data) is { Success: true } match)
            {
                bound[match.Groups[1].Value].TrySetResult(int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                output.Enqueue(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            var actual = new int[s_services.Length];
            var exited = process.WaitForExitAsync();
            for (var i = 0; i < s_services.Length; i++)
            {
                var port = bound[s_services[i]].Task;
                if (await Task.WhenAny(port, exited, Task.Delay(TimeSpan.FromSeconds(60))) != port)
                {
                    throw new InvalidOperationException($"Azurite did not report its {s_services[i]} port: {string.Join(" | ", output)}");
                }

                actual[i] = await port;
                await WaitForAzuriteAsync(s_services[i], actual[i], process);
            }

            return (process, actual);
        }
        catch
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.Dispose();
            throw;
        }
    }

    /// <summary>Waits until the port answers HTTP as Azurite's service (not merely accepts a connection).</summary>
    private static async Task WaitForAzuriteAsync(string service, int port, Process process)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/devstoreaccount1?comp=list"));
                if (response.Headers.Server.ToString().StartsWith("Azurite-" + service, StringComparison.Ordinal))
                {
                    return;
                }

                throw new InvalidOperationException($"Port {port} answers as '{response.Headers.Server}', not Azurite's {service} service.");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                if (process.HasExited || DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException($"Azurite's {service} service does not answer on port {port}.", e);
                }

                await Task.Delay(50);
            }
        }
    }
}

/// <summary>xunit fixture owning one Azurite for a test class or collection.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private Azurite? _azurite;

    /// <summary>The running Azurite.</summary>
    public Azurite Azurite => _azurite ?? throw new InvalidOperationException("Azurite is not started.");

    /// <summary>Its connection string.</summary>
    public string ConnectionString => Azurite.ConnectionString;

    /// <inheritdoc />
    public async Task InitializeAsync() => _azurite = await Azurite.StartAsync();

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }
}
