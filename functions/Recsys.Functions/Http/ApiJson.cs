using System.Text.Json;
using System.Text.Json.Serialization;

namespace Recsys.Functions.Http;

/// <summary>
/// The JSON of the HTTP APIs: Personalize's camelCase field names, enums as strings, nulls left out, and numbers
/// only as JSON numbers (<c>"numResults": "10"</c> is a 400, as in Personalize, not silently accepted).
/// </summary>
internal static class ApiJson
{
    /// <summary>Applies the API's settings to <paramref name="options"/> (the ASP.NET Core options that results use).</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.PropertyNameCaseInsensitive = true;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.Converters.Add(new JsonStringEnumConverter());
    }

    /// <summary>Options configured as the API's, for readers outside ASP.NET Core's result pipeline.</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(options);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
