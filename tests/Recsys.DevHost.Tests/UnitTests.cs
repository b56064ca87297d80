using Google.Protobuf.Collections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.Functions.Worker.Grpc.Messages;
using Microsoft.Extensions.DependencyInjection;
using Recsys.DevHost.Http;
using Recsys.DevHost.Triggers;
using Recsys.DevHost.Worker;

namespace Recsys.DevHost.Tests;

/// <summary>The dev host's parsers: blob path patterns, route matching, NCRONTAB schedules, function metadata.</summary>
public sealed class UnitTests
{
    [Theory]
    [InlineData("{name}", "a.csv", "name=a.csv")]
    [InlineData("{name}", "demo/Items/items.csv", "name=demo/Items/items.csv")]
    [InlineData("{group}/{file}.csv", "demo/items.csv", "group=demo;file=items")]
    [InlineData("{group}/{file}.csv", "demo/items.json", null)]
    [InlineData("in/{name}", "out/x", null)]
    [InlineData("in/{name}", "in/x", "name=x")]
    public void Blob_path_patterns_match_and_name_their_values(string pattern, string blob, string? expected)
    {
        var values = new BlobPathPattern(pattern).Match(blob);

        Assert.Equal(expected, values is null ? null : string.Join(";", values.Select(v => $"{v.Key}={v.Value}")));
    }

    [Fact]
    public void Literal_routes_win_over_parameters_and_a_catch_all_takes_the_rest()
    {
        var routes = Routes(
            Http("ById", "items/{id}", "get"),
            Http("Special", "items/special", "get"),
            Http("Files", "files/{*path}", "get"),
            Http("Numbers", "n/{value:int}", "get"));
        var values = new RouteValueDictionary();
        var context = new DefaultHttpContext();

        Assert.Equal(HttpFunctionRoutes.MatchKind.Matched, routes.Match(context, "/items/special", "GET", values, out var special));
        Assert.Equal("Special", special!.Name);
        Assert.Equal(HttpFunctionRoutes.MatchKind.Matched, routes.Match(context, "/items/7", "GET", values, out var byId));
        Assert.Equal("ById", byId!.Name);
        Assert.Equal("7", values["id"]);
        Assert.Equal(HttpFunctionRoutes.MatchKind.Matched, routes.Match(context, "/files/a/b.csv", "GET", values, out _));
        Assert.Equal("a/b.csv", values["path"]);
        Assert.Equal(HttpFunctionRoutes.MatchKind.None, routes.Match(context, "/n/abc", "GET", values, out _));
        Assert.Equal(HttpFunctionRoutes.MatchKind.MethodNotAllowed, routes.Match(context, "/items/7", "DELETE", values, out var wrongMethod));
        Assert.Equal("ById", wrongMethod!.Name);
    }

    [Fact]
    public void Function_metadata_gives_trigger_route_methods_auth_level_and_outputs()
    {
        var function = Http("Enqueue", "enqueue/{text}", "post", "Function",
            "{\"name\":\"Message\",\"direction\":\"Out\",\"type\":\"queue\",\"queueName\":\"%WorkQueue%\"}");

        Assert.Equal(TriggerKind.Http, function.Trigger);
        Assert.Equal("request", function.TriggerName);
        Assert.Equal("enqueue/{text}", function.Route);
        Assert.Equal(["POST"], function.Methods);
        Assert.Equal(AuthLevel.Function, function.AuthLevel);
        Assert.Contains(function.Outputs, o => o is { Name: "Message", Type: "queue" });
        Assert.True(WorkerFunction.IsReservedRoute("admin/x"));
        Assert.False(WorkerFunction.IsReservedRoute("administration"));
    }

    [Theory]
    [InlineData("*/2 * * * * *", false)]
    [InlineData("0 */5 * * * *", true)]
    [InlineData("0 0 3 * * *", true)]
    public void Schedules_have_six_fields_and_the_monitor_is_on_for_intervals_over_a_minute(string expression, bool monitored)
    {
        var schedule = TimerTriggerListener.ParseSchedule(expression, "T");

        Assert.Equal(monitored, TimerTriggerListener.MonitorByDefault(schedule, new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc)));
        Assert.Throws<InvalidDataException>(() => TimerTriggerListener.ParseSchedule("*/5 * * * *", "T"));
    }

    private static HttpFunctionRoutes Routes(params WorkerFunction[] functions)
    {
        var services = new ServiceCollection().AddRouting().BuildServiceProvider();
        return new HttpFunctionRoutes(functions, services.GetRequiredService<IInlineConstraintResolver>());
    }

    private static WorkerFunction Http(string name, string route, string method, string authLevel = "Anonymous", params string[] more)
    {
        var metadata = new RpcFunctionMetadata { Name = name, FunctionId = name + "-id" };
        metadata.RawBindings.Add($"{{\"name\":\"request\",\"direction\":\"In\",\"type\":\"httpTrigger\",\"authLevel\":\"{authLevel}\",\"methods\":[\"{method}\"],\"route\":\"{route}\"}}");
        metadata.RawBindings.Add("{\"name\":\"$return\",\"type\":\"http\",\"direction\":\"Out\"}");
        metadata.RawBindings.AddRange(more);
        return WorkerFunction.Parse(metadata);
    }
}
