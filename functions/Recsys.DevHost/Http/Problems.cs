using System.Text.Json;

namespace Recsys.DevHost.Http;

/// <summary>The host's own error answers, as <c>application/problem+json</c> (RFC 9457).</summary>
internal static class Problems
{
    public static async Task WriteAsync(HttpContext context, int status, string title, string detail, int? retryAfterSeconds = null, string? allow = null)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            context.Abort();
            return;
        }

        response.Clear();
        response.StatusCode = status;
        response.ContentType = "application/problem+json";
        response.Headers["x-amzn-ErrorType"] = ErrorType(status);
        if (allow is not null)
        {
            response.Headers.Allow = allow;
        }

        if (retryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type", $"https://tools.ietf.org/html/rfc9110#status-{status}");
            json.WriteString("title", title);
            json.WriteNumber("status", status);
            json.WriteString("detail", detail);
            json.WriteString("message", detail);
            json.WriteString("instance", context.Request.Path.Value);
            json.WriteEndObject();
        }

        response.ContentLength = buffer.Length;
        await response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted);
    }

    // Personalize's error type for the status, which AWS SDK clients read (as the app's own problems carry it).
    private static string ErrorType(int status) => status switch
    {
        StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden => "AccessDeniedException",
        StatusCodes.Status404NotFound => "ResourceNotFoundException",
        StatusCodes.Status503ServiceUnavailable => "ServiceUnavailableException",
        >= 500 => "InternalFailure",
        _ => "InvalidInputException",
    };
}
