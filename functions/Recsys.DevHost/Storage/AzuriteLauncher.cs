using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Recsys.DevHost.Storage;

/// <summary>
/// For <c>UseDevelopmentStorage=true</c>: makes sure an Azurite answers on the development-storage ports. It asks
/// who answers (an Azurite names itself in its <c>Server</c> header), starts Azurite from the repository's
/// <c>node_modules</c> with its data in the git-ignored <c>.azurite/</c> when nothing listens, refuses when another
/// program holds a port, and stops the Azurite it started when the dev host stops.
/// </summary>
internal sealed class AzuriteLauncher : IDisposable
{
    private static readonly (string Service, int Port)[] s_services = [("Blob", 10000), ("Queue", 10001), ("Table", 10002)];
    private readonly Process? _process;

    private AzuriteLauncher(Process? process) => _process = process;

    public static async Task<AzuriteLauncher> EnsureRunningAsync(string repositoryRoot, ILogger logger, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var answers = new List<string?>();
        foreach (var (service, port) in s_services)
        {
            answers.Add(await WhoAnswersAsync(http, port, cancellationToken));
        }

        if (answers.All(a => a is not null && a.StartsWith("Azurite", StringComparison.Ordinal)))
        {
            Log.AzuriteFound(logger, answers[0]!);
            return new AzuriteLauncher(null);
        }

        for (var i = 0; i < s_services.Length; i++)
        {
            if (answers[i] is { } other && !other.StartsWith("Azurite", StringComparison.Ordinal))
            {
                throw new InvalidOperationException(
                    $"Port {s_services[i].Port} (development storage, {s_services[i].Service}) is taken by something that is not Azurite ({other}). Stop it, or set AzureWebJobsStorage to a connection string.");
            }
        }

        var script = Path.Combine(repositoryRoot, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"AzureWebJobsStorage is UseDevelopmentStorage=true, no Azurite answers, and none is installed at {script}: run `npm ci` in {repositoryRoot}.");
        }

        await CheckNodeAsync(repositoryRoot, logger, cancellationToken);

        var location = Path.Combine(repositoryRoot, ".azurite");
        Directory.CreateDirectory(location);
        var start = new ProcessStartInfo("node") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            script, "--silent", "--skipApiVersionCheck", "--disableTelemetry", "--location", location,
            "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
        })
        {
            start.ArgumentList.Add(argument);
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
        var launcher = new AzuriteLauncher(process);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        foreach (var (service, port) in s_services)
        {
            while ((await WhoAnswersAsync(http, port, cancellationToken))?.StartsWith("Azurite", StringComparison.Ordinal) != true)
            {
                if (process.HasExited || DateTime.UtcNow > deadline)
                {
                    launcher.Dispose();
                    throw new InvalidOperationException($"Azurite did not start answering on port {port} ({service}); its errors are in the log above.");
                }

                await Task.Delay(100, cancellationToken);
            }
        }

        Log.AzuriteStarted(logger, process.Id, location);
        return launcher;
    }

    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process?.Dispose();
    }

    /// <summary>The <c>Server</c> header of whatever answers HTTP on the port ("?" when it answers without one), or null when nothing does.</summary>
    private static async Task<string?> WhoAnswersAsync(HttpClient http, int port, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/devstoreaccount1?comp=list"), cancellationToken);
            return response.Headers.Server.Count > 0 ? response.Headers.Server.ToString() : "?";
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ConnectionError)
        {
            return null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return "a program that does not speak HTTP";
        }
    }

    private static async Task CheckNodeAsync(string repositoryRoot, ILogger logger, CancellationToken cancellationToken)
    {
        string version;
        try
        {
            using var node = Process.Start(new ProcessStartInfo("node", "--version") { RedirectStandardOutput = true, UseShellExecute = false })
                ?? throw new InvalidOperationException("node did not start.");
            version = (await node.StandardOutput.ReadToEndAsync(cancellationToken)).Trim();
            await node.WaitForExitAsync(cancellationToken);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException("Node.js is not installed (no `node` on PATH): the dev host needs it to start Azurite. Install Node.js, or point AzureWebJobsStorage at a running storage.");
        }

        var major = int.TryParse(version.TrimStart('v').Split('.')[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var m) ? m : 0;
        var engines = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(repositoryRoot, "node_modules", "azurite", "package.json"), cancellationToken))?["engines"]?["node"]?.ToString();
        var wanted = engines is null ? 0 : int.TryParse(new string(engines.SkipWhile(c => !char.IsDigit(c)).TakeWhile(char.IsDigit).ToArray()), NumberStyles.Integer, CultureInfo.InvariantCulture, out var w) ? w : 0;
        if (major < 18)
        {
            throw new InvalidOperationException($"Node.js {version} is too old for Azurite (it declares {engines}): install a newer Node.js.");
        }

        if (major < wanted)
        {
            // Azurite 3.37 declares Node 22 but runs on Node 20 (checked here); say so instead of failing.
            Log.NodeOlderThanDeclared(logger, version, engines!);
        }
    }
}
