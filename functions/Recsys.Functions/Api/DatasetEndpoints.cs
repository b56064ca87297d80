using Microsoft.AspNetCore.Http.HttpResults;
using Recsys.Core.Datasets;

namespace Recsys.Functions.Api;

/// <summary>Manage API for datasets: <c>/api/manage/datasets</c>; a dataset is named by its ARN or <c>{group}/{TYPE}</c>.</summary>
internal static class DatasetEndpoints
{
    public static RouteGroupBuilder MapDatasetEndpoints(this RouteGroupBuilder manage)
    {
        var group = manage.MapGroup("/datasets").WithTags("Datasets");
        group.MapPost("/", CreateAsync).WithName("CreateDataset");
        group.MapGet("/", ListAsync).WithName("ListDatasets");
        group.MapGet("/{*dataset}", DescribeAsync).WithName("DescribeDataset");
        group.MapDelete("/{*dataset}", DeleteAsync).WithName("DeleteDataset");
        return group;
    }

    private static async Task<Created<CreateDatasetResponse>> CreateAsync(CreateDatasetRequest request, DatasetService service, HttpContext context, CancellationToken cancellationToken)
    {
        var created = await service.CreateAsync(request.Name, request.DatasetGroupArn, request.DatasetType, request.SchemaArn, request.ColumnMapping, cancellationToken);
        context.Response.Headers.ETag = created.ETag;
        return TypedResults.Created($"/api/manage/datasets/{created.Value.DatasetGroup}/{created.Value.Key}", new CreateDatasetResponse(created.Value.Arn));
    }

    private static async Task<Ok<DescribeDatasetResponse>> DescribeAsync(string dataset, DatasetService service, HttpContext context, CancellationToken cancellationToken)
    {
        var stored = await service.DescribeAsync(Uri.UnescapeDataString(dataset), cancellationToken);
        context.Response.Headers.ETag = stored.ETag;
        return TypedResults.Ok(new DescribeDatasetResponse(DatasetView.From(stored.Value)));
    }

    private static async Task<Ok<ListDatasetsResponse>> ListAsync(DatasetService service, string? datasetGroupArn, int? maxResults, string? nextToken, CancellationToken cancellationToken)
    {
        var page = await service.ListAsync(datasetGroupArn, maxResults, nextToken, cancellationToken);
        return TypedResults.Ok(new ListDatasetsResponse(page.Items.Select(DatasetView.From).ToArray(), page.NextToken));
    }

    private static async Task<NoContent> DeleteAsync(string dataset, DatasetService service, CancellationToken cancellationToken)
    {
        await service.DeleteAsync(Uri.UnescapeDataString(dataset), cancellationToken);
        return TypedResults.NoContent();
    }
}

internal sealed record CreateDatasetRequest(string? Name, string? DatasetGroupArn, string? DatasetType, string? SchemaArn, Dictionary<string, string>? ColumnMapping);

internal sealed record CreateDatasetResponse(string DatasetArn);

internal sealed record DescribeDatasetResponse(DatasetView Dataset);

internal sealed record ListDatasetsResponse(IReadOnlyList<DatasetView> Datasets, string? NextToken);

internal sealed record DatasetView(
    string Name, string DatasetArn, string DatasetGroupArn, string DatasetType, string SchemaArn, string Status,
    IReadOnlyDictionary<string, string>? ColumnMapping, DateTimeOffset CreationDateTime, DateTimeOffset LastUpdatedDateTime)
{
    public static DatasetView From(Dataset d) => new(
        d.Name, d.Arn, Recsys.Core.Resources.ResourceArn.For(Recsys.Core.DatasetGroups.DatasetGroup.ResourceType, d.DatasetGroup),
        d.DatasetType.ToString(), d.SchemaArn, d.State.Status, d.ColumnMapping, d.State.CreationDateTime, d.State.LastUpdatedDateTime);
}
