using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Recsys.Core.Errors;
using Recsys.Core.Events;
using Recsys.Core.Resources;
using Recsys.Storage;
using Recsys.Storage.Events;

namespace Recsys.Functions.Api;

/// <summary>Event trackers (manage API) and the events API: PutEvents, PutItems, PutUsers.</summary>
internal static class EventEndpoints
{
    public static IServiceCollection AddEventServices(this IServiceCollection services)
    {
        services.AddOptions<EventStoreOptions>()
            .BindConfiguration(EventStoreOptions.Section)
            .Validate(o => o.HistoryLength is >= 1 and <= 1000, "Recsys:Events:HistoryLength must be between 1 and 1000.")
            .Validate(o => o.MaxHistoryCharacters >= 10_000, "Recsys:Events:MaxHistoryCharacters must be at least 10000.")
            .Validate(o => o.MaxConcurrencyRetries >= 0, "Recsys:Events:MaxConcurrencyRetries must not be negative.")
            .ValidateOnStart();

        services.AddSingleton<IResourceStore<EventTracker>>(sp => new TableResourceStore<EventTracker>(
            sp.GetRequiredService<StorageClients>().Table(StorageNames.EventTrackersTable), EventTrackerJson.Default.EventTracker, "event tracker"));
        services.AddSingleton<IEventTrackerIndex>(sp => new TableEventTrackerIndex(
            sp.GetRequiredService<StorageClients>().Table(StorageNames.EventTrackersTable)));
        services.AddSingleton<IEventStore>(sp => new TableEventStore(
            sp.GetRequiredService<StorageClients>().Table(StorageNames.EventsTable),
            sp.GetRequiredService<IOptions<EventStoreOptions>>().Value,
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IDatasetRecordStore>(sp => new TableDatasetRecordStore(
            sp.GetRequiredService<StorageClients>().Table(StorageNames.ItemsTable),
            sp.GetRequiredService<StorageClients>().Table(StorageNames.UsersTable)));
        services.AddSingleton<EventTrackerService>();
        services.AddSingleton<EventService>();
        services.AddSingleton<IndividualRecordService>();
        return services;
    }

    public static RouteGroupBuilder MapEventTrackerEndpoints(this RouteGroupBuilder manage)
    {
        var group = manage.MapGroup("/event-trackers").WithTags("Event trackers");
        group.MapPost("/", CreateTrackerAsync).WithName("CreateEventTracker");
        group.MapGet("/", ListTrackersAsync).WithName("ListEventTrackers");
        group.MapGet("/{*eventTracker}", DescribeTrackerAsync).WithName("DescribeEventTracker");
        group.MapDelete("/{*eventTracker}", DeleteTrackerAsync).WithName("DeleteEventTracker");
        return group;
    }

    /// <summary>
    /// Personalize Events' routes (<c>POST /events</c>, <c>/items</c>, <c>/users</c>), answered as Personalize does:
    /// 200 with an empty body. Errors are problems that also carry <c>x-amzn-ErrorType</c>, so AWS SDK clients raise
    /// their typed exceptions.
    /// </summary>
    public static IEndpointRouteBuilder MapEventEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapPost("/events", PutEventsAsync).WithName("PutEvents").WithTags("Events")
            .Accepts<JsonElement>("application/json").AddEndpointFilter<AwsErrorTypeFilter>();
        api.MapPost("/items", PutItemsAsync).WithName("PutItems").WithTags("Events")
            .Accepts<JsonElement>("application/json").AddEndpointFilter<AwsErrorTypeFilter>();
        api.MapPost("/users", PutUsersAsync).WithName("PutUsers").WithTags("Events")
            .Accepts<JsonElement>("application/json").AddEndpointFilter<AwsErrorTypeFilter>();
        return api;
    }

    private static async Task<Created<CreateEventTrackerResponse>> CreateTrackerAsync(
        CreateEventTrackerRequest request, EventTrackerService service, HttpContext context, CancellationToken cancellationToken)
    {
        var created = await service.CreateAsync(request.Name, request.DatasetGroupArn, cancellationToken);
        context.Response.Headers.ETag = created.ETag;
        return TypedResults.Created(
            "/api/manage/event-trackers/" + created.Value.Name,
            new CreateEventTrackerResponse(created.Value.Arn, created.Value.TrackingId));
    }

    private static async Task<Ok<DescribeEventTrackerResponse>> DescribeTrackerAsync(
        string eventTracker, EventTrackerService service, HttpContext context, CancellationToken cancellationToken)
    {
        var stored = await service.DescribeAsync(Uri.UnescapeDataString(eventTracker), cancellationToken);
        context.Response.Headers.ETag = stored.ETag;
        return TypedResults.Ok(new DescribeEventTrackerResponse(EventTrackerView.From(stored.Value)));
    }

    private static async Task<Ok<ListEventTrackersResponse>> ListTrackersAsync(
        EventTrackerService service, string? datasetGroupArn, int? maxResults, string? nextToken, CancellationToken cancellationToken)
    {
        var page = await service.ListAsync(datasetGroupArn, maxResults, nextToken, cancellationToken);
        return TypedResults.Ok(new ListEventTrackersResponse(page.Items.Select(EventTrackerSummary.From).ToArray(), page.NextToken));
    }

    private static async Task<NoContent> DeleteTrackerAsync(string eventTracker, EventTrackerService service, CancellationToken cancellationToken)
    {
        await service.DeleteAsync(Uri.UnescapeDataString(eventTracker), cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok> PutEventsAsync(HttpRequest request, EventService service, CancellationToken cancellationToken)
    {
        using var body = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
        await service.PutEventsAsync(body.RootElement, cancellationToken);
        return TypedResults.Ok();
    }

    private static async Task<Ok> PutItemsAsync(HttpRequest request, IndividualRecordService service, CancellationToken cancellationToken)
    {
        using var body = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
        await service.PutItemsAsync(body.RootElement, cancellationToken);
        return TypedResults.Ok();
    }

    private static async Task<Ok> PutUsersAsync(HttpRequest request, IndividualRecordService service, CancellationToken cancellationToken)
    {
        using var body = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
        await service.PutUsersAsync(body.RootElement, cancellationToken);
        return TypedResults.Ok();
    }
}

/// <summary>
/// Writes client errors of the events API as the usual problem, plus the <c>x-amzn-ErrorType</c> header and a
/// <c>message</c> member that AWS SDKs read to raise Personalize's exception types.
/// </summary>
internal sealed class AwsErrorTypeFilter(IProblemDetailsService problems) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (Exception e) when (ErrorType(e) is { } errorType)
        {
            var problem = Problems.ToProblem(e);
            problem.Extensions["message"] = problem.Detail;
            context.HttpContext.Response.Headers["x-amzn-ErrorType"] = errorType;
            await Problems.WriteAsync(problems, context.HttpContext, problem);
            return Results.Empty;
        }
    }

    private static string? ErrorType(Exception e) => e switch
    {
        InvalidInputException or JsonException or BadHttpRequestException { StatusCode: 400 } or LimitExceededException => "InvalidInputException",
        ResourceNotFoundException => "ResourceNotFoundException",
        ResourceInUseException or PreconditionFailedException => "ResourceInUseException",
        _ => null,
    };
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
