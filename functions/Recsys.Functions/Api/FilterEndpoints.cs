using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Recsys.Core.Filters;
using Recsys.Core.Resources;
using Recsys.Storage;

namespace Recsys.Functions.Api;

/// <summary>Filters (manage API): Personalize's filter expression language.</summary>
internal static class FilterEndpoints
{
    public static IServiceCollection AddFilterServices(this IServiceCollection services)
    {
        services.AddSingleton<IResourceStore<Filter>>(sp => new TableResourceStore<Filter>(
            sp.GetRequiredService<StorageClients>().Table(StorageNames.FiltersTable), FilterJson.Default.Filter, "filter"));
        services.AddSingleton<FilterService>();
        return services;
    }

    public static RouteGroupBuilder MapFilterEndpoints(this RouteGroupBuilder manage)
    {
        var group = manage.MapGroup("/filters").WithTags("Filters");
        group.MapPost("/", CreateAsync).WithName("CreateFilter");
        group.MapGet("/", ListAsync).WithName("ListFilters");
        group.MapGet("/{*filter}", DescribeAsync).WithName("DescribeFilter");
        group.MapDelete("/{*filter}", DeleteAsync).WithName("DeleteFilter");
        return group;
    }

    private static async Task<Created<CreateFilterResponse>> CreateAsync(CreateFilterRequest request, FilterService service, HttpContext context, CancellationToken cancellationToken)
    {
        var created = await service.CreateAsync(request.Name, request.DatasetGroupArn, request.FilterExpression, cancellationToken);
        context.Response.Headers.ETag = created.ETag;
        return TypedResults.Created("/api/manage/filters/" + created.Value.Name, new CreateFilterResponse(created.Value.Arn));
    }

    private static async Task<Ok<DescribeFilterResponse>> DescribeAsync(string filter, FilterService service, HttpContext context, CancellationToken cancellationToken)
    {
        var stored = await service.DescribeAsync(Uri.UnescapeDataString(filter), cancellationToken);
        context.Response.Headers.ETag = stored.ETag;
        return TypedResults.Ok(new DescribeFilterResponse(FilterView.From(stored.Value)));
    }

    private static async Task<Ok<ListFiltersResponse>> ListAsync(FilterService service, string? datasetGroupArn, int? maxResults, string? nextToken, CancellationToken cancellationToken)
    {
        var page = await service.ListAsync(datasetGroupArn, maxResults, nextToken, cancellationToken);
        return TypedResults.Ok(new ListFiltersResponse(page.Items.Select(FilterSummary.From).ToArray(), page.NextToken));
    }

    private static async Task<NoContent> DeleteAsync(string filter, FilterService service, CancellationToken cancellationToken)
    {
        await service.DeleteAsync(Uri.UnescapeDataString(filter), cancellationToken);
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
