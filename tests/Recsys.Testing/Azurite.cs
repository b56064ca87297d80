using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Xunit;

namespace Recsys.Testing;

/// <summary>
/// A real Azurite (the npm package pinned in package.json) on free loopback ports with in-memory storage, started
/// for a test fixture and stopped with it.
/// </summary>
public sealed class Azurite : IAsyncDisposable
{
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private readonly Process _process;

    private Azurite(Process process, int blobPort, int queuePort, int tablePort)
    {
        _process = process;
        ConnectionString =
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + AccountKey
            + $";BlobEndpoint=http://127.0.0.1:{blobPort}/devstoreaccount1"
            + $";QueueEndpoint=http://127.0.0.1:{queuePort}/devstoreaccount1"
            + $";TableEndpoint=http://127.0.0.1:{tablePort}/devstoreaccount1;";
    }

    /// <summary>Connection string for the Azure SDK clients.</summary>
    public string ConnectionString { get; }

    /// <summary>Starts Azurite and waits until its three services accept connections.</summary>
    public static async Task<Azurite> StartAsync()
    {
        var script = Path.Combine(RepositoryPaths.Root, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"Azurite is not installed ({script} is missing): run `npm ci` at the repository root.");
        }

        var ports = FreePorts(3);
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            script, "--silent", "--skipApiVersionCheck", "--inMemoryPersistence", "--disableTelemetry", "--loose",
            "--blobHost", "127.0.0.1", "--blobPort", ports[0].ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--queueHost", "127.0.0.1", "--queuePort", ports[1].ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--tableHost", "127.0.0.1", "--tablePort", ports[2].ToString(System.Globalization.CultureInfo.InvariantCulture),
        })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var azurite = new Azurite(process, ports[0], ports[1], ports[2]);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        foreach (var port in ports)
        {
            while (!await AcceptsAsync(port))
            {
                if (process.HasExited || DateTime.UtcNow > deadline)
                {
                    await azurite.DisposeAsync();
                    throw new InvalidOperationException($"Azurite did not start listening on port {port}.");
                }

                await Task.Delay(50);
            }
        }

        return azurite;
    }

    /// <summary>Stops Azurite; its in-memory data goes with it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    /// <summary>Free TCP ports on loopback.</summary>
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

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
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
