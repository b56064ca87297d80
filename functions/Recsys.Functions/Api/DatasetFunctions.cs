using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Recsys.Core.DatasetGroups;
using Recsys.Core.Datasets;
using Recsys.Core.Resources;
using Recsys.Functions.Http;

namespace Recsys.Functions.Api;

/// <summary>Manage API for datasets: <c>/api/manage/datasets</c>; a dataset is named by its ARN or <c>{group}/{TYPE}</c>.</summary>
[OpenApiTag("Datasets")]
internal sealed class DatasetFunctions(DatasetService service)
{
    [Function("CreateDataset")]
    [OpenApiBody(typeof(CreateDatasetRequest))]
    public async Task<Created<CreateDatasetResponse>> CreateAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "manage/datasets")] HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await request.ReadJsonAsync<CreateDatasetRequest>(cancellationToken);
        var created = await service.CreateAsync(body.Name, body.DatasetGroupArn, body.DatasetType, body.SchemaArn, body.ColumnMapping, cancellationToken);
        request.HttpContext.Response.Headers.ETag = created.ETag;
        return TypedResults.Created($"/api/manage/datasets/{created.Value.DatasetGroup}/{created.Value.Key}", new CreateDatasetResponse(created.Value.Arn));
    }

    [Function("ListDatasets")]
    [OpenApiQuery("datasetGroupArn", typeof(string))]
    [OpenApiQuery("maxResults", typeof(int))]
    [OpenApiQuery("nextToken", typeof(string))]
    public async Task<Ok<ListDatasetsResponse>> ListAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "manage/datasets")] HttpRequest request, CancellationToken cancellationToken)
    {
        var page = await service.ListAsync(request.QueryString("datasetGroupArn"), request.QueryInt("maxResults"), request.QueryString("nextToken"), cancellationToken);
        return TypedResults.Ok(new ListDatasetsResponse([.. page.Items.Select(DatasetView.From)], page.NextToken));
    }

    [Function("DescribeDataset")]
    public async Task<Ok<DescribeDatasetResponse>> DescribeAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "manage/datasets/{*dataset}")] HttpRequest request, string? dataset, CancellationToken cancellationToken)
    {
        var stored = await service.DescribeAsync(RouteIdentifier.Decode(dataset), cancellationToken);
        request.HttpContext.Response.Headers.ETag = stored.ETag;
        return TypedResults.Ok(new DescribeDatasetResponse(DatasetView.From(stored.Value)));
    }

    [Function("DeleteDataset")]
    public async Task<NoContent> DeleteAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "delete", Route = "manage/datasets/{*dataset}")] HttpRequest request, string? dataset, CancellationToken cancellationToken)
    {
        await service.DeleteAsync(RouteIdentifier.Decode(dataset), cancellationToken);
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
        d.Name, d.Arn, ResourceArn.For(DatasetGroup.ResourceType, d.DatasetGroup),
        d.DatasetType.ToString(), d.SchemaArn, d.State.Status, d.ColumnMapping, d.State.CreationDateTime, d.State.LastUpdatedDateTime);
}
