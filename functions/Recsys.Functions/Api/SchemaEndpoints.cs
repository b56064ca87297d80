using Microsoft.AspNetCore.Http.HttpResults;
using Recsys.Core.Datasets;
using Recsys.Core.Schemas;

namespace Recsys.Functions.Api;

/// <summary>Manage API for schemas: <c>/api/manage/schemas</c>.</summary>
internal static class SchemaEndpoints
{
    public static RouteGroupBuilder MapSchemaEndpoints(this RouteGroupBuilder manage)
    {
        var group = manage.MapGroup("/schemas").WithTags("Schemas");
        group.MapPost("/", CreateAsync).WithName("CreateSchema");
        group.MapGet("/", ListAsync).WithName("ListSchemas");
        group.MapGet("/{schema}", DescribeAsync).WithName("DescribeSchema");
        group.MapDelete("/{schema}", DeleteAsync).WithName("DeleteSchema");
        return group;
    }

    private static async Task<Created<CreateSchemaResponse>> CreateAsync(CreateSchemaRequest request, SchemaService service, HttpContext context, CancellationToken cancellationToken)
    {
        var created = await service.CreateAsync(request.Name, request.Schema, request.Domain, cancellationToken);
        context.Response.Headers.ETag = created.ETag;
        return TypedResults.Created($"/api/manage/schemas/{created.Value.Name}", new CreateSchemaResponse(created.Value.Arn, created.Value.DatasetType.ToString()));
    }

    private static async Task<Ok<DescribeSchemaResponse>> DescribeAsync(string schema, SchemaService service, CancellationToken cancellationToken)
        => TypedResults.Ok(new DescribeSchemaResponse(SchemaView.From((await service.DescribeAsync(Uri.UnescapeDataString(schema), cancellationToken)).Value)));

    private static async Task<Ok<ListSchemasResponse>> ListAsync(SchemaService service, int? maxResults, string? nextToken, CancellationToken cancellationToken)
    {
        var page = await service.ListAsync(maxResults, nextToken, cancellationToken);
        return TypedResults.Ok(new ListSchemasResponse(page.Items.Select(SchemaView.From).ToArray(), page.NextToken));
    }

    private static async Task<NoContent> DeleteAsync(string schema, SchemaService service, DatasetService datasets, CancellationToken cancellationToken)
    {
        await service.DeleteAsync(Uri.UnescapeDataString(schema), datasets.FindUserOfSchemaAsync, cancellationToken);
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
