using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Recsys.Core.Datasets;
using Recsys.Core.Schemas;
using Recsys.Functions.Http;

namespace Recsys.Functions.Api;

/// <summary>Manage API for schemas: <c>/api/manage/schemas</c>.</summary>
[OpenApiTag("Schemas")]
internal sealed class SchemaFunctions(SchemaService service, DatasetService datasets)
{
    [Function("CreateSchema")]
    [OpenApiBody(typeof(CreateSchemaRequest))]
    public async Task<Created<CreateSchemaResponse>> CreateAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "manage/schemas")] HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await request.ReadJsonAsync<CreateSchemaRequest>(cancellationToken);
        var created = await service.CreateAsync(body.Name, body.Schema, body.Domain, cancellationToken);
        request.HttpContext.Response.Headers.ETag = created.ETag;
        return TypedResults.Created($"/api/manage/schemas/{created.Value.Name}", new CreateSchemaResponse(created.Value.Arn, created.Value.DatasetType.ToString()));
    }

    [Function("ListSchemas")]
    [OpenApiQuery("maxResults", typeof(int))]
    [OpenApiQuery("nextToken", typeof(string))]
    public async Task<Ok<ListSchemasResponse>> ListAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "manage/schemas")] HttpRequest request, CancellationToken cancellationToken)
    {
        var page = await service.ListAsync(request.QueryInt("maxResults"), request.QueryString("nextToken"), cancellationToken);
        return TypedResults.Ok(new ListSchemasResponse([.. page.Items.Select(SchemaView.From)], page.NextToken));
    }

    [Function("DescribeSchema")]
    public async Task<Ok<DescribeSchemaResponse>> DescribeAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "manage/schemas/{*schema}")] HttpRequest request, string? schema, CancellationToken cancellationToken)
        => TypedResults.Ok(new DescribeSchemaResponse(SchemaView.From((await service.DescribeAsync(RouteIdentifier.Decode(schema), cancellationToken)).Value)));

    [Function("DeleteSchema")]
    public async Task<NoContent> DeleteAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "delete", Route = "manage/schemas/{*schema}")] HttpRequest request, string? schema, CancellationToken cancellationToken)
    {
        await service.DeleteAsync(RouteIdentifier.Decode(schema), datasets.FindUserOfSchemaAsync, cancellationToken);
        return TypedResults.NoContent();
    }
}

internal sealed record CreateSchemaRequest(string? Name, string? Schema, string? Domain);

internal sealed record CreateSchemaResponse(string SchemaArn, string DatasetType);

internal sealed record DescribeSchemaResponse(SchemaView Schema);

internal sealed record ListSchemasResponse(IReadOnlyList<SchemaView> Schemas, string? NextToken);

internal sealed record SchemaView(string Name, string SchemaArn, string Schema, string DatasetType, string? Domain, DateTimeOffset CreationDateTime, DateTimeOffset LastUpdatedDateTime)
{
    public static SchemaView From(Schema schema) => new(
        schema.Name, schema.Arn, schema.Definition, schema.DatasetType.ToString(), schema.Domain, schema.State.CreationDateTime, schema.State.LastUpdatedDateTime);
}
