using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Recsys.Functions.Hosting;

/// <summary>Queue settings from host.json <c>extensions.queues</c>, with the Functions host's defaults.</summary>
public sealed record QueueHostOptions
{
    /// <summary>Failed deliveries before a message moves to the poison queue.</summary>
    public int MaxDequeueCount { get; init; } = 5;

    /// <summary>Delay before a failed message becomes visible again.</summary>
    public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.Zero;

    /// <summary>Messages fetched and run in parallel per function.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Fetch a new batch when this many or fewer are still running.</summary>
    public int NewBatchThreshold { get; init; } = 8;

    /// <summary>Longest wait between polls of an empty queue.</summary>
    public TimeSpan MaxPollingInterval { get; init; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// The Functions app as the host sees it: host.json and the function.json of every function under the script
/// root. The packaged app has them side by side; in the repository the function folders sit under
/// <c>functions/</c> next to the handler's project.
/// </summary>
public sealed class FunctionApp
{
    private FunctionApp(string scriptRoot, JsonObject hostJson, IReadOnlyList<FunctionDefinition> functions)
    {
        ScriptRoot = scriptRoot;
        HostJson = hostJson;
        Functions = functions;
        RoutePrefix = ((string?)hostJson["extensions"]?["http"]?["routePrefix"] ?? "api").Trim('/');
        FunctionTimeout = ParseTimeSpan((string?)hostJson["functionTimeout"]) ?? TimeSpan.FromMinutes(30);
        var queues = hostJson["extensions"]?["queues"];
        Queues = new QueueHostOptions
        {
            MaxDequeueCount = (int?)queues?["maxDequeueCount"] ?? 5,
            VisibilityTimeout = ParseTimeSpan((string?)queues?["visibilityTimeout"]) ?? TimeSpan.Zero,
            BatchSize = Math.Clamp((int?)queues?["batchSize"] ?? 16, 1, 32),
            NewBatchThreshold = (int?)queues?["newBatchThreshold"] ?? 8,
            MaxPollingInterval = ParseTimeSpan((string?)queues?["maxPollingInterval"]) ?? TimeSpan.FromMinutes(1),
        };
    }

    /// <summary>The folder holding host.json.</summary>
    public string ScriptRoot { get; }

    /// <summary>host.json as parsed.</summary>
    public JsonObject HostJson { get; }

    /// <summary>Every declared function.</summary>
    public IReadOnlyList<FunctionDefinition> Functions { get; }

    /// <summary>Route prefix of HTTP functions (<c>api</c>).</summary>
    public string RoutePrefix { get; }

    /// <summary>host.json <c>functionTimeout</c>.</summary>
    public TimeSpan FunctionTimeout { get; }

    /// <summary>host.json <c>extensions.queues</c>.</summary>
    public QueueHostOptions Queues { get; }

    /// <summary>The function named <paramref name="name"/> (case-insensitive), or null.</summary>
    public FunctionDefinition? Find(string name)
        => Functions.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Loads host.json and the function.json files under <paramref name="scriptRoot"/>.</summary>
    public static FunctionApp Load(string scriptRoot)
    {
        var hostPath = Path.Combine(scriptRoot, "host.json");
        if (!File.Exists(hostPath))
        {
            throw new InvalidDataException($"host.json not found in {scriptRoot}.");
        }

        JsonObject hostJson;
        try
        {
            hostJson = JsonNode.Parse(File.ReadAllText(hostPath), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })?.AsObject()
                ?? throw new InvalidDataException("host.json is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"host.json is not valid JSON: {e.Message}", e);
        }

        var functions = new List<FunctionDefinition>();
        foreach (var folder in FunctionFolders(scriptRoot))
        {
            var name = Path.GetFileName(folder);
            functions.Add(FunctionDefinition.Parse(name, File.ReadAllText(Path.Combine(folder, "function.json"))));
        }

        var duplicate = functions.GroupBy(f => f.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidDataException($"The function '{duplicate.Key}' is declared more than once.");
        }

        var reserved = functions.FirstOrDefault(f => f.Route is { } r && (IsReserved(r, "admin") || IsReserved(r, "runtime")));
        if (reserved is not null)
        {
            throw new InvalidDataException($"The route '{reserved.Route}' of '{reserved.Name}' starts with a prefix the Functions host reserves (admin, runtime).");
        }

        return new FunctionApp(scriptRoot, hostJson, functions.OrderBy(f => f.Name, StringComparer.Ordinal).ToArray());
    }

    /// <summary>
    /// Finds the script root: <paramref name="explicitRoot"/>, else <c>FUNCTIONS_APP_ROOT_PATH</c> (set by the host),
    /// else the nearest folder holding host.json above the working directory or the executable.
    /// </summary>
    public static string LocateScriptRoot(string? explicitRoot)
    {
        if (!string.IsNullOrWhiteSpace(explicitRoot))
        {
            return Path.GetFullPath(explicitRoot);
        }

        var fromHost = Environment.GetEnvironmentVariable("FUNCTIONS_APP_ROOT_PATH");
        if (!string.IsNullOrWhiteSpace(fromHost) && File.Exists(Path.Combine(fromHost, "host.json")))
        {
            return fromHost;
        }

        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "host.json")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidDataException("No host.json found above the working directory or the executable; pass --script-root.");
    }

    private static IEnumerable<string> FunctionFolders(string scriptRoot)
    {
        static IEnumerable<string> Under(string dir) => Directory.Exists(dir)
            ? Directory.EnumerateDirectories(dir).Where(d => File.Exists(Path.Combine(d, "function.json")))
            : [];

        var direct = Under(scriptRoot).ToList();
        return direct.Count > 0 ? direct : Under(Path.Combine(scriptRoot, "functions"));
    }

    private static bool IsReserved(string route, string prefix)
    {
        var r = route.TrimStart('/');
        return r.Equals(prefix, StringComparison.OrdinalIgnoreCase) || r.StartsWith(prefix + "/", StringComparison.OrdinalIgnoreCase);
    }

    private static TimeSpan? ParseTimeSpan(string? value)
        => value is null ? null
            : value == "-1" ? Timeout.InfiniteTimeSpan
            : TimeSpan.Parse(value, CultureInfo.InvariantCulture);
}
