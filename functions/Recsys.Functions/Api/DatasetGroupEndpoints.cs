using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Recsys.Core.DatasetGroups;

namespace Recsys.Functions.Api;

/// <summary>Manage API for dataset groups: <c>/api/manage/dataset-groups</c>.</summary>
internal static class DatasetGroupEndpoints
{
    public static RouteGroupBuilder MapDatasetGroupEndpoints(this RouteGroupBuilder manage)
    {
        var group = manage.MapGroup("/dataset-groups").WithTags("Dataset groups");

        group.MapPost("/", CreateAsync).WithName("CreateDatasetGroup");
        group.MapGet("/", ListAsync).WithName("ListDatasetGroups");
        group.MapGet("/{datasetGroup}", DescribeAsync).WithName("DescribeDatasetGroup");
        group.MapDelete("/{datasetGroup}", DeleteAsync).WithName("DeleteDatasetGroup");
        return group;
    }

    private static async Task<Created<CreateDatasetGroupResponse>> CreateAsync(
        CreateDatasetGroupRequest request, DatasetGroupService service, HttpContext context, CancellationToken cancellationToken)
    {
        var created = await service.CreateAsync(request.Name, request.Domain, cancellationToken);
        context.Response.Headers.ETag = created.ETag;
        return TypedResults.Created(
            $"/api/manage/dataset-groups/{created.Value.Name}",
            new CreateDatasetGroupResponse(created.Value.Arn, created.Value.Domain));
    }

    private static async Task<Ok<DescribeDatasetGroupResponse>> DescribeAsync(
        string datasetGroup, DatasetGroupService service, HttpContext context, CancellationToken cancellationToken)
    {
        var stored = await service.DescribeAsync(Uri.UnescapeDataString(datasetGroup), cancellationToken);
        context.Response.Headers.ETag = stored.ETag;
        return TypedResults.Ok(new DescribeDatasetGroupResponse(DatasetGroupView.From(stored.Value)));
    }

    private static async Task<Ok<ListDatasetGroupsResponse>> ListAsync(
        DatasetGroupService service, int? maxResults, string? nextToken, CancellationToken cancellationToken)
    {
        var page = await service.ListAsync(maxResults, nextToken, cancellationToken);
        return TypedResults.Ok(new ListDatasetGroupsResponse(page.Items.Select(DatasetGroupView.From).ToArray(), page.NextToken));
    }

    private static async Task<NoContent> DeleteAsync(
        string datasetGroup, DatasetGroupService service, [FromHeader(Name = "If-Match")] string? ifMatch, CancellationToken cancellationToken)
    {
        await service.DeleteAsync(Uri.UnescapeDataString(datasetGroup), ifMatch, cancellationToken);
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
