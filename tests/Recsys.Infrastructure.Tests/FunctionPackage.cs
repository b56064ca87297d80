using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recsys.Testing;

namespace Recsys.Infrastructure.Tests;

/// <summary>
/// The deployable zip, built once per test class by infra/package.sh (a Release publish of the worker takes minutes),
/// with the files the Functions host reads from it.
/// </summary>
public sealed class FunctionPackage : IAsyncLifetime
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("recsys-package-");

    /// <summary>Every entry of the zip, by its full name (directories end with '/').</summary>
    public IReadOnlySet<string> Entries { get; private set; } = new HashSet<string>();

    /// <summary>The package's functions.metadata: one object per function with its bindings.</summary>
    public IReadOnlyList<JsonObject> Functions { get; private set; } = [];

    public JsonNode HostJson { get; private set; } = new JsonObject();

    public JsonNode WorkerConfig { get; private set; } = new JsonObject();

    public JsonNode Extensions { get; private set; } = new JsonObject();

    public JsonNode RuntimeConfig { get; private set; } = new JsonObject();

    /// <summary>Every binding of every function, with the function's name.</summary>
    public IEnumerable<(string Function, JsonObject Binding)> Bindings =>
        Functions.SelectMany(f => f["bindings"]!.AsArray().Select(b => ((string)f["name"]!, b!.AsObject())));

    public async Task InitializeAsync()
    {
        var zipPath = Path.Combine(_directory.FullName, "recsys-functions.zip");
        var script = Path.Combine(RepositoryPaths.Root, "infra", "package.sh");
        var built = await ProcessResult.RunAsync("bash", [script, zipPath], TimeSpan.FromMinutes(20));
        if (built.ExitCode != 0)
        {
            throw new InvalidOperationException($"infra/package.sh failed (rc {built.ExitCode}):\n{built.Stderr}");
        }

        Assert.Equal(zipPath, built.Stdout.Trim());
        using var zip = ZipFile.OpenRead(zipPath);
        Entries = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        Functions = Read(zip, "functions.metadata").AsArray().Select(f => f!.AsObject()).ToList();
        HostJson = Read(zip, "host.json");
        WorkerConfig = Read(zip, "worker.config.json");
        Extensions = Read(zip, "extensions.json");
        RuntimeConfig = Read(zip, "Recsys.Functions.runtimeconfig.json");
    }

    public Task DisposeAsync()
    {
        _directory.Delete(recursive: true);
        return Task.CompletedTask;
    }

    private static JsonNode Read(ZipArchive zip, string name)
    {
        var entry = zip.GetEntry(name) ?? throw new InvalidOperationException($"The package has no {name}.");
        using var stream = entry.Open();
        return JsonNode.Parse(stream, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!;
    }
}
