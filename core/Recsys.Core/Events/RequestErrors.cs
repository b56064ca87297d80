using System.Globalization;
using System.Text.Json;
using Recsys.Core.Errors;

namespace Recsys.Core.Events;

/// <summary>Collects every problem of a JSON request by field path, then throws them together.</summary>
internal sealed class RequestErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public int Count => _errors.Count;

    public void Add(string path, string problem)
    {
        if (!_errors.TryGetValue(path, out var list))
        {
            list = [];
            _errors[path] = list;
        }

        list.Add(problem);
    }

    public void ThrowIfAny(string message)
    {
        if (_errors.Count > 0)
        {
            // The message names the first problem too: AWS SDK clients show only the message.
            var count = _errors.Values.Sum(e => e.Count);
            var (path, problems) = _errors.First();
            var more = count == 1 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $" (and {count - 1} more)");
            throw new InvalidInputException(
                $"{message}: {path}: {problems[0]}{more}",
                _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal));
        }
    }

    /// <summary>
    /// Reads an optional (or <paramref name="required"/>) string of 1 to <paramref name="maxLength"/> characters;
    /// JSON null counts as absent.
    /// </summary>
    public string? String(JsonElement parent, string name, string path, int maxLength, bool required = false)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                Add(path, $"{name} is required.");
            }

            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            Add(path, $"{name} must be a string, not {Describe(value)}.");
            return null;
        }

        var text = value.GetString()!;
        if (text.Length == 0)
        {
            Add(path, $"{name} must not be empty.");
            return null;
        }

        if (text.Length > maxLength)
        {
            Add(path, string.Create(CultureInfo.InvariantCulture, $"{name} has {text.Length} characters; the limit is {maxLength}."));
            return null;
        }

        return text;
    }

    /// <summary>
    /// Reads an optional (or <paramref name="required"/>) user, item or session id: a string that passes
    /// <see cref="Data.RecordIds"/>' rule (1–256 characters, single-line).
    /// </summary>
    public string? Id(JsonElement parent, string name, string path, bool required = false)
    {
        var text = String(parent, name, path, Data.RecordIds.MaxLength, required);
        if (text is not null && Data.RecordIds.Problem(name, text) is { } problem)
        {
            Add(path, problem);
            return null;
        }

        return text;
    }

    /// <summary>A JSON value kind in words, for messages.</summary>
    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
