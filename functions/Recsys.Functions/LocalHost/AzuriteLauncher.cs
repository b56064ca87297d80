using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Recsys.Functions.LocalHost;

/// <summary>
/// For <c>UseDevelopmentStorage=true</c>: starts Azurite (from the repository's node_modules) on its default ports with
/// data under <c>.azurite/</c>, unless something already listens there, and stops it with the local host.
/// </summary>
internal sealed class AzuriteLauncher : IDisposable
{
    private static readonly int[] s_ports = [10000, 10001, 10002];
    private readonly Process? _process;

    private AzuriteLauncher(Process? process) => _process = process;

    public static async Task<AzuriteLauncher> EnsureRunningAsync(string scriptRoot, ILogger logger)
    {
        if (await AcceptsAsync(s_ports[0]))
        {
            return new AzuriteLauncher(null);
        }

        var script = Path.Combine(scriptRoot, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"Azurite is not running and not installed at {script}: run `npm ci` in {scriptRoot}.");
        }

        var start = new ProcessStartInfo("node") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        var location = Path.Combine(scriptRoot, ".azurite");
        foreach (var arg in new[] { script, "--silent", "--skipApiVersionCheck", "--disableTelemetry", "--location", location })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (!string.IsNullOrEmpty(e.Data))
            {
                Log.AzuriteOutput(logger, e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(30);
        foreach (var port in s_ports)
        {
            while (!await AcceptsAsync(port))
            {
                if (process.HasExited || DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException($"Azurite did not start listening on port {port}.");
                }

                await Task.Delay(100);
            }
        }

        Log.AzuriteStarted(logger, location);
        return new AzuriteLauncher(process);
    }

    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
        }

        _process?.Dispose();
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
