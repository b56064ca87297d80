using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Recsys.Benchmarks;

/// <summary>
/// Writes one benchmark's results to <c>tests/benchmarks/results/{area}-{name}.json</c>: the command that produced
/// them, the date, the machine (cores, memory, OS, runtime) and the figures by name.
/// </summary>
internal static class BenchmarkReport
{
    private static readonly JsonSerializerOptions s_options = new() { WriteIndented = true };

    /// <summary>Writes the report and returns its path.</summary>
    public static string Write(string area, string name, string command, JsonObject figures)
    {
        var report = new JsonObject
        {
            ["area"] = area,
            ["name"] = name,
            ["command"] = command,
            ["date"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["machine"] = new JsonObject
            {
                ["cores"] = Environment.ProcessorCount,
                ["memoryBytes"] = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
                ["os"] = RuntimeInformation.OSDescription,
                ["cpu"] = CpuModel(),
                ["runtime"] = RuntimeInformation.FrameworkDescription,
            },
            ["figures"] = figures,
        };

        var path = ResultPath(area, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, report.ToJsonString(s_options) + "\n");
        return path;
    }

    /// <summary>The stored report of <paramref name="area"/>-<paramref name="name"/> (with its figures), or null when there is none.</summary>
    public static JsonObject? Read(string area, string name)
    {
        var path = ResultPath(area, name);
        return File.Exists(path) && JsonNode.Parse(File.ReadAllText(path)) is JsonObject report && report["figures"] is JsonObject ? report : null;
    }

    /// <summary>
    /// The stored figures' <c>partial_updates</c> with one more entry for a run that replaced part of them: its
    /// command, the date, and under <paramref name="key"/> what it replaced.
    /// </summary>
    public static JsonArray PartialUpdates(JsonObject storedFigures, string command, string key, JsonArray replaced)
    {
        ArgumentNullException.ThrowIfNull(storedFigures);
        var updates = storedFigures["partial_updates"]?.DeepClone().AsArray() ?? [];
        updates.Add(new JsonObject
        {
            ["command"] = command,
            ["date"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            [key] = replaced,
        });
        return updates;
    }

    private static string ResultPath(string area, string name) => Path.Combine(RepositoryRoot(), "tests", "benchmarks", "results", $"{area}-{name}.json");

    /// <summary>The repository root: the nearest folder upwards that holds Recsys.sln.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Recsys.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Recsys.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Peak working set of this process so far, in bytes (Linux: VmHWM).</summary>
    public static long PeakWorkingSetBytes()
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return process.PeakWorkingSet64;
    }

    private static string CpuModel()
    {
        const string cpuInfo = "/proc/cpuinfo";
        if (!File.Exists(cpuInfo))
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }

        var line = File.ReadLines(cpuInfo).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return line is null ? RuntimeInformation.ProcessArchitecture.ToString() : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }
}
