using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Recsys.Testing;

namespace Recsys.Infrastructure.Tests;

/// <summary>The Bicep files under infra/: their text, their compiled ARM JSON and the app settings they set.</summary>
internal static partial class BicepTemplates
{
    /// <summary>The templates that deploy the app; each sets the app settings.</summary>
    public static readonly string[] AppTemplates = ["main.bicep", "premium.bicep"];

    // Compiling takes seconds; every test that reads a template's JSON shares one build per file.
    private static readonly ConcurrentDictionary<string, Lazy<Task<string>>> s_builds = new(StringComparer.Ordinal);

    public static string Infra => Path.Combine(RepositoryPaths.Root, "infra");

    public static string Text(string file) => File.ReadAllText(Path.Combine(Infra, file));

    /// <summary>The ARM JSON of <paramref name="file"/> (a fresh copy per call).</summary>
    public static async Task<JsonNode> BuildAsync(string file)
    {
        var json = await s_builds.GetOrAdd(file, f => new Lazy<Task<string>>(() => CompileAsync(f))).Value;
        return JsonNode.Parse(json)!;
    }

    /// <summary>The names in the template's <c>{ name: '...', value: ... }</c> app settings.</summary>
    public static HashSet<string> AppSettingNames(string file)
    {
        var names = AppSetting().Matches(Text(file)).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(names);
        return names;
    }

    public static List<string> Strings(JsonNode? array) => array!.AsArray().Select(n => (string)n!).ToList();

    /// <summary>The first value of a property called <paramref name="name"/>, searched depth-first.</summary>
    public static JsonNode? FindProperty(JsonNode? node, string name) => node switch
    {
        JsonObject obj => obj.TryGetPropertyValue(name, out var value) ? value : obj.Select(p => FindProperty(p.Value, name)).FirstOrDefault(v => v is not null),
        JsonArray array => array.Select(n => FindProperty(n, name)).FirstOrDefault(v => v is not null),
        _ => null,
    };

    /// <summary>Every resource of <paramref name="type"/> in the template, nested deployments included.</summary>
    public static List<JsonObject> FindResources(JsonNode? node, string type)
    {
        var found = new List<JsonObject>();
        Collect(node);
        return found;

        void Collect(JsonNode? current)
        {
            switch (current)
            {
                case JsonObject obj:
                    if ((obj["type"] as JsonValue)?.TryGetValue<string>(out var t) == true && t == type)
                    {
                        found.Add(obj);
                    }

                    foreach (var property in obj)
                    {
                        Collect(property.Value);
                    }

                    break;
                case JsonArray array:
                    foreach (var item in array)
                    {
                        Collect(item);
                    }

                    break;
            }
        }
    }

    private static async Task<string> CompileAsync(string file)
    {
        var result = await BicepCli.RunAsync("build", Path.Combine(Infra, file), "--stdout");
        Assert.True(result.ExitCode == 0, result.StandardError);
        return result.StandardOutput;
    }

    [GeneratedRegex(@"\{\s*name:\s*'([^']+)'\s*,\s*value:")]
    private static partial Regex AppSetting();
}
