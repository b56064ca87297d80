using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Recsys.Functions.Http;

namespace Recsys.Functions.Api;

/// <summary><c>GET /api/openapi/v1.json</c>: the OpenAPI document of every HTTP function, built from their declarations.</summary>
[OpenApiTag("OpenAPI")]
internal sealed class OpenApiFunctions
{
    private static readonly Lazy<string> s_document = new(() => OpenApiDocumentBuilder.Build(typeof(OpenApiFunctions).Assembly).ToJsonString());

    [Function("OpenApiDocument")]
    public static ContentHttpResult Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi/v1.json")] HttpRequest request)
        => TypedResults.Text(s_document.Value, "application/json");
}
