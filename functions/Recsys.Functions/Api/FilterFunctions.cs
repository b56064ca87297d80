using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Recsys.Core.Filters;
using Recsys.Functions.Http;

namespace Recsys.Functions.Api;

/// <summary>Manage API for filters (Personalize's filter expression language): <c>/api/manage/filters</c>.</summary>
[OpenApiTag("Filters")]
internal sealed class FilterFunctions(FilterService service)
{
    [Function("CreateFilter")]
    [OpenApiBody(typeof(CreateFilterRequest))]
    public async Task<Created<CreateFilterResponse>> CreateAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "manage/filters")] HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await request.ReadJsonAsync<CreateFilterRequest>(cancellationToken);
        var created = await service.CreateAsync(body.Name, body.DatasetGroupArn, body.FilterExpression, cancellationToken);
        request.HttpContext.Response.Headers.ETag = created.ETag;
        return TypedResults.Created("/api/manage/filters/" + created.Value.Name, new CreateFilterResponse(created.Value.Arn));
    }

    [Function("ListFilters")]
    [OpenApiQuery("datasetGroupArn", typeof(string))]
    [OpenApiQuery("maxResults", typeof(int))]
    [OpenApiQuery("nextToken", typeof(string))]
    public async Task<Ok<ListFiltersResponse>> ListAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "manage/filters")] HttpRequest request, CancellationToken cancellationToken)
    {
        var page = await service.ListAsync(request.QueryString("datasetGroupArn"), request.QueryInt("maxResults"), request.QueryString("nextToken"), cancellationToken);
        return TypedResults.Ok(new ListFiltersResponse([.. page.Items.Select(FilterSummary.From)], page.NextToken));
    }

    [Function("DescribeFilter")]
    public async Task<Ok<DescribeFilterResponse>> DescribeAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "manage/filters/{*filter}")] HttpRequest request, string? filter, CancellationToken cancellationToken)
    {
        var stored = await service.DescribeAsync(RouteIdentifier.Decode(filter), cancellationToken);
        request.HttpContext.Response.Headers.ETag = stored.ETag;
        return TypedResults.Ok(new DescribeFilterResponse(FilterView.From(stored.Value)));
    }

    [Function("DeleteFilter")]
    public async Task<NoContent> DeleteAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "delete", Route = "manage/filters/{*filter}")] HttpRequest request, string? filter, CancellationToken cancellationToken)
    {
        await service.DeleteAsync(RouteIdentifier.Decode(filter), cancellationToken);
        return TypedResults.NoContent();
    }
}

internal sealed record CreateFilterRequest(string? Name, string? DatasetGroupArn, string? FilterExpression);

internal sealed record CreateFilterResponse(string FilterArn);

internal sealed record DescribeFilterResponse(FilterView Filter);

/// <summary>Personalize's ListFilters response, whose list is spelled <c>Filters</c>.</summary>
internal sealed record ListFiltersResponse([property: JsonPropertyName("Filters")] IReadOnlyList<FilterSummary> Filters, string? NextToken);

internal sealed record FilterView(
    string Name, string FilterArn, string DatasetGroupArn, string FilterExpression, string Status, string? FailureReason,
    DateTimeOffset CreationDateTime, DateTimeOffset LastUpdatedDateTime)
{
    public static FilterView From(Filter f) => new(
        f.Name, f.Arn, f.DatasetGroupArn, f.FilterExpression, f.State.Status, f.State.FailureReason, f.State.CreationDateTime, f.State.LastUpdatedDateTime);
}

internal sealed record FilterSummary(
    string Name, string FilterArn, string DatasetGroupArn, string Status, string? FailureReason,
    DateTimeOffset CreationDateTime, DateTimeOffset LastUpdatedDateTime)
{
    public static FilterSummary From(Filter f) => new(
        f.Name, f.Arn, f.DatasetGroupArn, f.State.Status, f.State.FailureReason, f.State.CreationDateTime, f.State.LastUpdatedDateTime);
}
