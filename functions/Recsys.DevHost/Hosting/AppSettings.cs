using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Recsys.DevHost.Hosting;

/// <summary>
/// The app settings as Core Tools gives them to the host and the worker: the <c>Values</c> of
/// <c>local.settings.json</c> (or <c>local.settings.sample.json</c>), with the process environment taking precedence.
/// </summary>
internal sealed partial class AppSettings
{
    private const string ValuesKey = "Values";
    private readonly Dictionary<string, string> _values;

    private AppSettings(Dictionary<string, string> values, string? file)
    {
        _values = values;
        File = file;
    }

    /// <summary>The settings file in use, or null when there is none.</summary>
    public string? File { get; }

    /// <summary>Every setting from the file, with the environment's value where it sets the same name.</summary>
    public IReadOnlyDictionary<string, string> Values => _values;

    /// <summary>A setting (the environment wins over the file), or null.</summary>
    public string? this[string name]
        => Environment.GetEnvironmentVariable(name) ?? (_values.TryGetValue(name, out var value) ? value : null);

    [GeneratedRegex("%([^%]+)%", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();

    /// <summary>Expands every <c>%Name%</c> as the Functions host does; throws naming a setting that is not set.</summary>
    public string Expand(string value, string usedBy)
        => Placeholder().Replace(value, m => this[m.Groups[1].Value]
            ?? throw new InvalidOperationException($"'{usedBy}' uses the app setting '{m.Groups[1].Value}', which is not set."));

    /// <summary>
    /// host.json values that app settings override, as the Functions host allows: <c>AzureFunctionsJobHost__a__b</c>
    /// sets <c>a.b</c> (the environment wins over the file).
    /// </summary>
    public IReadOnlyDictionary<string, string> HostJsonOverrides()
    {
        const string Prefix = "AzureFunctionsJobHost__";
        var names = _values.Keys.Concat(Environment.GetEnvironmentVariables().Keys.Cast<string>())
            .Where(k => k.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)).Distinct(StringComparer.OrdinalIgnoreCase);
        return names.ToDictionary(k => k[Prefix.Length..], k => this[k]!, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Whether a function is disabled by its <c>AzureWebJobs.{name}.Disabled</c> setting.</summary>
    public bool IsDisabled(string functionName)
        => bool.TryParse(this[$"AzureWebJobs.{functionName}.Disabled"] ?? this[$"AzureWebJobs__{functionName}__Disabled"], out var disabled) && disabled;

    /// <summary>
    /// Loads <paramref name="explicitFile"/>, else the first <c>local.settings.json</c> or
    /// <c>local.settings.sample.json</c> in the app folder or above the working directory.
    /// </summary>
    public static AppSettings Load(string? explicitFile, string appDirectory)
    {
        var file = explicitFile is not null ? Path.GetFullPath(explicitFile) : Find(appDirectory);
        if (file is not null && !System.IO.File.Exists(file))
        {
            throw new InvalidDataException($"The settings file {file} does not exist.");
        }

        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (file is not null)
        {
            JsonNode? root;
            try
            {
                root = JsonNode.Parse(System.IO.File.ReadAllText(file), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{file} is not valid JSON: {e.Message}", e);
            }

            if (root?[ValuesKey] is JsonObject settings)
            {
                foreach (var (key, value) in settings)
                {
                    values[key] = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value?.ToJsonString() ?? string.Empty;
                }
            }
        }

        foreach (var key in values.Keys.ToArray())
        {
            if (Environment.GetEnvironmentVariable(key) is { } fromEnvironment)
            {
                values[key] = fromEnvironment;
            }
        }

        return new AppSettings(values, file);
    }

    /// <summary>The settings as configuration keys (<c>__</c> also in its <c>:</c> form, as environment variables are).</summary>
    public IEnumerable<KeyValuePair<string, string?>> AsConfiguration()
    {
        foreach (var (key, value) in _values)
        {
            yield return new(key, value);
            if (key.Contains("__", StringComparison.Ordinal))
            {
                yield return new(key.Replace("__", ":", StringComparison.Ordinal), value);
            }
        }
    }

    private static string? Find(string appDirectory)
    {
        var starts = new[] { appDirectory, Directory.GetCurrentDirectory() };
        foreach (var name in new[] { "local.settings.json", "local.settings.sample.json" })
        {
            foreach (var start in starts)
            {
                for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                {
                    var path = Path.Combine(dir.FullName, name);
                    if (System.IO.File.Exists(path))
                    {
                        return path;
                    }

                    if (start == appDirectory)
                    {
                        break;
                    }
                }
            }
        }

        return null;
    }
}
