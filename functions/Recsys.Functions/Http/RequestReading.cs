using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Recsys.Core.Errors;

namespace Recsys.Functions.Http;

/// <summary>Reading an HTTP request's JSON body and query parameters, with errors that name the field.</summary>
internal static class RequestReading
{
    /// <summary>
    /// The body as <typeparamref name="T"/> (API JSON settings); 415 unless it is JSON, 400 naming the problem when it
    /// is empty, malformed or of the wrong shape.
    /// </summary>
    public static async Task<T> ReadJsonAsync<T>(this HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        EnsureJson(request);
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(request.Body, ApiJson.Options, cancellationToken)
                ?? throw new InvalidInputException("body", "The request body must be a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidInputException("body", "The request body is not valid JSON for this operation: " + e.Message);
        }
    }

    /// <summary>The body as a JSON document (the events API reads its requests field by field).</summary>
    public static async Task<JsonDocument> ReadJsonDocumentAsync(this HttpRequest request, CancellationToken cancellationToken)
    {
        EnsureJson(request);
        try
        {
            return await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
        }
        catch (JsonException e)
        {
            throw new InvalidInputException("body", "The request body is not valid JSON: " + e.Message);
        }
    }

    /// <summary>An optional integer query parameter; 400 naming it when it is not an integer.</summary>
    public static int? QueryInt(this HttpRequest request, string name)
    {
        var text = QueryString(request, name);
        if (text is null)
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidInputException(name, $"{name} must be an integer, not '{Shorten(text)}'.");
    }

    /// <summary>An optional query parameter (given once); 400 naming it when it is repeated.</summary>
    public static string? QueryString(this HttpRequest request, string name)
    {
        var values = request.Query[name];
        return values.Count switch
        {
            0 => null,
            1 => values[0],
            _ => throw new InvalidInputException(name, $"{name} is given {values.Count} times; give it once."),
        };
    }

    private static void EnsureJson(HttpRequest request)
    {
        if (request.ContentType is { } type && !type.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            throw new BadHttpRequestException("Send the body as application/json.", StatusCodes.Status415UnsupportedMediaType);
        }
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
