using System.Text.Json;
using System.Text.Json.Nodes;

namespace Recsys.Functions.Hosting;

/// <summary>
/// Reads <c>local.settings.json</c> (falling back to <c>local.settings.sample.json</c>) the way Core Tools does:
/// its <c>Values</c> become app settings unless the environment already sets them.
/// </summary>
public static class LocalSettings
{
    /// <summary>The file in use under <paramref name="scriptRoot"/>, or null when there is none.</summary>
    public static string? FindFile(string scriptRoot)
    {
        foreach (var name in new[] { "local.settings.json", "local.settings.sample.json" })
        {
            var path = Path.Combine(scriptRoot, name);
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }

    /// <summary>
    /// The <c>Values</c> as configuration keys. A key with <c>__</c> is also given in its <c>:</c> form, as environment
    /// variables are.
    /// </summary>
    public static Dictionary<string, string?> Read(string path)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid JSON: {e.Message}", e);
        }

        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (root?["Values"] is JsonObject settings)
        {
            foreach (var (key, value) in settings)
            {
                var text = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value?.ToJsonString();
                values[key] = text;
                if (key.Contains("__", StringComparison.Ordinal))
                {
                    values[key.Replace("__", ":", StringComparison.Ordinal)] = text;
                }
            }
        }

        return values;
    }
}
