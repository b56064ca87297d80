using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Net.Http.Headers;
using Recsys.Functions.Http;

namespace Recsys.Functions.Api;

/// <summary>
/// <c>GET /api/console/{path}</c>: the web console, static files embedded in this assembly (plain HTML, JavaScript and
/// the vendored uPlot). Anonymous: the page holds no data; it asks for the master key and calls the manage API with it,
/// as any other client. Files are revalidated on each load (<c>ETag</c>, <c>no-cache</c>), so a new deployment shows at once.
/// </summary>
[OpenApiTag("Console")]
internal sealed class ConsoleFunctions
{
    private const string ResourcePrefix = "console/";
    private const string IndexFile = "index.html";

    // The page loads only its own files and talks only to this app.
    private const string ContentSecurityPolicy =
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private static readonly FrozenDictionary<string, ConsoleFile> s_files = Load();

    [Function("Console")]
    public static IResult Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "console/{*path}")] HttpRequest request, string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            // The page's relative links need the trailing slash: /api/console → /api/console/.
            if (!request.Path.Value!.EndsWith('/'))
            {
                return TypedResults.Redirect(request.Path.Value + "/" + request.QueryString, permanent: true);
            }

            path = IndexFile;
        }

        if (!s_files.TryGetValue(path, out var file))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"The console has no file '{path}'.");
        }

        var headers = request.HttpContext.Response.Headers;
        headers.ETag = file.ETag;
        headers.CacheControl = "no-cache";
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers["Referrer-Policy"] = "no-referrer";
        if (request.Headers.IfNoneMatch.Any(tag => tag is not null && (tag == file.ETag || tag.Split(',').Any(t => t.Trim() == file.ETag || t.Trim() == "*"))))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return TypedResults.Bytes(file.Content, file.ContentType);
    }

    private static FrozenDictionary<string, ConsoleFile> Load()
    {
        var assembly = typeof(ConsoleFunctions).Assembly;
        var files = new Dictionary<string, ConsoleFile>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var content = buffer.ToArray();
            var etag = new EntityTagHeaderValue("\"" + Convert.ToHexStringLower(SHA256.HashData(content))[..16] + "\"").ToString();
            files[name[ResourcePrefix.Length..].Replace('\\', '/')] = new ConsoleFile(content, ContentType(name), etag);
        }

        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string ContentType(string name) => Path.GetExtension(name).ToLowerInvariant() switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".ico" => "image/x-icon",
        ".json" => "application/json",
        _ => "text/plain; charset=utf-8",
    };

    private sealed record ConsoleFile(byte[] Content, string ContentType, string ETag);
}
