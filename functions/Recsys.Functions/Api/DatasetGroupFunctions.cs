using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Recsys.Core.DatasetGroups;
using Recsys.Functions.Http;

namespace Recsys.Functions.Api;

/// <summary>Manage API for dataset groups: <c>/api/manage/dataset-groups</c>.</summary>
[OpenApiTag("Dataset groups")]
internal sealed class DatasetGroupFunctions(DatasetGroupService service)
{
    [Function("CreateDatasetGroup")]
    [OpenApiBody(typeof(CreateDatasetGroupRequest))]
    public async Task<Created<CreateDatasetGroupResponse>> CreateAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "manage/dataset-groups")] HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await request.ReadJsonAsync<CreateDatasetGroupRequest>(cancellationToken);
        var created = await service.CreateAsync(body.Name, body.Domain, cancellationToken);
        request.HttpContext.Response.Headers.ETag = created.ETag;
        return TypedResults.Created($"/api/manage/dataset-groups/{created.Value.Name}", new CreateDatasetGroupResponse(created.Value.Arn, created.Value.Domain));
    }

    [Function("ListDatasetGroups")]
    [OpenApiQuery("maxResults", typeof(int))]
    [OpenApiQuery("nextToken", typeof(string))]
    public async Task<Ok<ListDatasetGroupsResponse>> ListAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "manage/dataset-groups")] HttpRequest request, CancellationToken cancellationToken)
    {
        var page = await service.ListAsync(request.QueryInt("maxResults"), request.QueryString("nextToken"), cancellationToken);
        return TypedResults.Ok(new ListDatasetGroupsResponse([.. page.Items.Select(DatasetGroupView.From)], page.NextToken));
    }

    [Function("DescribeDatasetGroup")]
    public async Task<Ok<DescribeDatasetGroupResponse>> DescribeAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "manage/dataset-groups/{*datasetGroup}")] HttpRequest request, string? datasetGroup, CancellationToken cancellationToken)
    {
        var stored = await service.DescribeAsync(RouteIdentifier.Decode(datasetGroup), cancellationToken);
        request.HttpContext.Response.Headers.ETag = stored.ETag;
        return TypedResults.Ok(new DescribeDatasetGroupResponse(DatasetGroupView.From(stored.Value)));
    }

    [Function("DeleteDatasetGroup")]
    public async Task<NoContent> DeleteAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "delete", Route = "manage/dataset-groups/{*datasetGroup}")] HttpRequest request, string? datasetGroup, CancellationToken cancellationToken)
    {
        await service.DeleteAsync(RouteIdentifier.Decode(datasetGroup), request.Headers.IfMatch.FirstOrDefault(), cancellationToken);
        return TypedResults.NoContent();
    }
}

/// <summary>Body of CreateDatasetGroup.</summary>
internal sealed record CreateDatasetGroupRequest(string? Name, string? Domain);

/// <summary>Answer of CreateDatasetGroup.</summary>
internal sealed record CreateDatasetGroupResponse(string DatasetGroupArn, string? Domain);

/// <summary>Answer of DescribeDatasetGroup.</summary>
internal sealed record DescribeDatasetGroupResponse(DatasetGroupView DatasetGroup);

/// <summary>Answer of ListDatasetGroups.</summary>
internal sealed record ListDatasetGroupsResponse(IReadOnlyList<DatasetGroupView> DatasetGroups, string? NextToken);

/// <summary>A dataset group with Personalize's field names.</summary>
internal sealed record DatasetGroupView(
    string Name,
    string DatasetGroupArn,
    string Status,
    string? FailureReason,
    string? Domain,
    DateTimeOffset CreationDateTime,
    DateTimeOffset LastUpdatedDateTime)
{
    public static DatasetGroupView From(DatasetGroup group) => new(
        group.Name, group.Arn, group.State.Status, group.State.FailureReason, group.Domain,
        group.State.CreationDateTime, group.State.LastUpdatedDateTime);
}
