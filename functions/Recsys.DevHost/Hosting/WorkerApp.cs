using System.Text.Json.Nodes;

namespace Recsys.DevHost.Hosting;

/// <summary>
/// A built isolated-worker app: its folder (build or publish output), the assembly to run, and host.json.
/// </summary>
internal sealed class WorkerApp
{
    private WorkerApp(string directory, string assemblyPath, HostJson hostJson)
    {
        Directory = directory;
        AssemblyPath = assemblyPath;
        HostJson = hostJson;
    }

    /// <summary>The app folder (<c>FUNCTIONS_APPLICATION_DIRECTORY</c>).</summary>
    public string Directory { get; }

    /// <summary>The worker assembly that <c>dotnet</c> runs.</summary>
    public string AssemblyPath { get; }

    public HostJson HostJson { get; }

    /// <summary>Reads the app in <paramref name="directory"/> (host.json with the app settings' overrides); throws saying what is missing.</summary>
    public static WorkerApp Load(string directory, IReadOnlyDictionary<string, string>? hostJsonOverrides = null)
    {
        directory = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(directory))
        {
            throw new InvalidDataException($"The worker folder {directory} does not exist: build the worker first or pass --app <folder>.");
        }

        var config = Path.Combine(directory, "worker.config.json");
        if (!File.Exists(config))
        {
            throw new InvalidDataException(
                $"{directory} is not an isolated-worker build (no worker.config.json): pass --app <folder> with the output of a project that uses Microsoft.Azure.Functions.Worker.Sdk.");
        }

        var description = JsonNode.Parse(File.ReadAllText(config))?["description"];
        var workerPath = (string?)description?["defaultWorkerPath"]
            ?? throw new InvalidDataException($"{config} names no defaultWorkerPath.");
        var assembly = Path.Combine(directory, workerPath);
        if (!File.Exists(assembly))
        {
            throw new InvalidDataException($"{config} names {workerPath}, which is not in {directory}.");
        }

        return new WorkerApp(directory, assembly, HostJson.Load(directory, hostJsonOverrides));
    }
}
