using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Recsys.Core.Events;
using Recsys.Functions.Http;

namespace Recsys.Functions.Api;

/// <summary>Manage API for event trackers: <c>/api/manage/event-trackers</c>.</summary>
[OpenApiTag("Event trackers")]
internal sealed class EventTrackerFunctions(EventTrackerService service)
{
    [Function("CreateEventTracker")]
    [OpenApiBody(typeof(CreateEventTrackerRequest))]
    public async Task<Created<CreateEventTrackerResponse>> CreateAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "manage/event-trackers")] HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await request.ReadJsonAsync<CreateEventTrackerRequest>(cancellationToken);
        var created = await service.CreateAsync(body.Name, body.DatasetGroupArn, cancellationToken);
        request.HttpContext.Response.Headers.ETag = created.ETag;
        return TypedResults.Created("/api/manage/event-trackers/" + created.Value.Name, new CreateEventTrackerResponse(created.Value.Arn, created.Value.TrackingId));
    }

    [Function("ListEventTrackers")]
    [OpenApiQuery("datasetGroupArn", typeof(string))]
    [OpenApiQuery("maxResults", typeof(int))]
    [OpenApiQuery("nextToken", typeof(string))]
    public async Task<Ok<ListEventTrackersResponse>> ListAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "manage/event-trackers")] HttpRequest request, CancellationToken cancellationToken)
    {
        var page = await service.ListAsync(request.QueryString("datasetGroupArn"), request.QueryInt("maxResults"), request.QueryString("nextToken"), cancellationToken);
        return TypedResults.Ok(new ListEventTrackersResponse([.. page.Items.Select(EventTrackerSummary.From)], page.NextToken));
    }

    [Function("DescribeEventTracker")]
    public async Task<Ok<DescribeEventTrackerResponse>> DescribeAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "manage/event-trackers/{*eventTracker}")] HttpRequest request, string? eventTracker, CancellationToken cancellationToken)
    {
        var stored = await service.DescribeAsync(RouteIdentifier.Decode(eventTracker), cancellationToken);
        request.HttpContext.Response.Headers.ETag = stored.ETag;
        return TypedResults.Ok(new DescribeEventTrackerResponse(EventTrackerView.From(stored.Value)));
    }

    [Function("DeleteEventTracker")]
    public async Task<NoContent> DeleteAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "delete", Route = "manage/event-trackers/{*eventTracker}")] HttpRequest request, string? eventTracker, CancellationToken cancellationToken)
    {
        await service.DeleteAsync(RouteIdentifier.Decode(eventTracker), cancellationToken);
        return TypedResults.NoContent();
    }
}

/// <summary>Body of CreateEventTracker.</summary>
internal sealed record CreateEventTrackerRequest(string? Name, string? DatasetGroupArn);

/// <summary>Answer of CreateEventTracker.</summary>
internal sealed record CreateEventTrackerResponse(string EventTrackerArn, string TrackingId);

/// <summary>Answer of DescribeEventTracker.</summary>
internal sealed record DescribeEventTrackerResponse(EventTrackerView EventTracker);

/// <summary>Answer of ListEventTrackers.</summary>
internal sealed record ListEventTrackersResponse(IReadOnlyList<EventTrackerSummary> EventTrackers, string? NextToken);

/// <summary>An event tracker with Personalize's field names.</summary>
internal sealed record EventTrackerView(
    string Name,
    string EventTrackerArn,
    string TrackingId,
    string DatasetGroupArn,
    string Status,
    DateTimeOffset CreationDateTime,
    DateTimeOffset LastUpdatedDateTime)
{
    public static EventTrackerView From(EventTracker t) => new(
        t.Name, t.Arn, t.TrackingId, t.DatasetGroupArn, t.State.Status, t.State.CreationDateTime, t.State.LastUpdatedDateTime);
}

/// <summary>An event tracker in a listing (Personalize's EventTrackerSummary).</summary>
internal sealed record EventTrackerSummary(
    string Name, string EventTrackerArn, string Status, DateTimeOffset CreationDateTime, DateTimeOffset LastUpdatedDateTime)
{
    public static EventTrackerSummary From(EventTracker t) => new(t.Name, t.Arn, t.State.Status, t.State.CreationDateTime, t.State.LastUpdatedDateTime);
}
