using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Recsys.Core.Events;
using Recsys.Functions.Http;

namespace Recsys.Functions.Api;

/// <summary>
/// Personalize Events' routes (<c>POST /events</c>, <c>/items</c>, <c>/users</c>), answered as Personalize does: 200
/// with an empty body once the events are durable. The requests are read field by field (the services report every
/// problem by its JSON path).
/// </summary>
[OpenApiTag("Events")]
internal sealed class EventFunctions(EventService events, IndividualRecordService records)
{
    [Function("PutEvents")]
    [OpenApiBody(typeof(System.Text.Json.JsonElement))]
    public async Task<Ok> PutEventsAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "events")] HttpRequest request, CancellationToken cancellationToken)
    {
        using var body = await request.ReadJsonDocumentAsync(cancellationToken);
        await events.PutEventsAsync(body.RootElement, cancellationToken);
        return TypedResults.Ok();
    }

    [Function("PutItems")]
    [OpenApiBody(typeof(System.Text.Json.JsonElement))]
    public async Task<Ok> PutItemsAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "items")] HttpRequest request, CancellationToken cancellationToken)
    {
        using var body = await request.ReadJsonDocumentAsync(cancellationToken);
        await records.PutItemsAsync(body.RootElement, cancellationToken);
        return TypedResults.Ok();
    }

    [Function("PutUsers")]
    [OpenApiBody(typeof(System.Text.Json.JsonElement))]
    public async Task<Ok> PutUsersAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "users")] HttpRequest request, CancellationToken cancellationToken)
    {
        using var body = await request.ReadJsonDocumentAsync(cancellationToken);
        await records.PutUsersAsync(body.RootElement, cancellationToken);
        return TypedResults.Ok();
    }
}
