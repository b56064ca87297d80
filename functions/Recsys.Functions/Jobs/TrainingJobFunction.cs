using System.Text.Json;
using System.Text.Json.Nodes;
using Recsys.Core.Errors;
using Recsys.Core.Solutions;
using Recsys.Functions.Hosting;
using Recsys.Functions.Invocation;

namespace Recsys.Functions.Jobs;

/// <summary>
/// <c>trainingJob</c> (queue trigger on training-jobs): trains one solution version per message
/// (<c>{"kind":"train","solution":…,"version":…}</c>). On the last delivery a failure marks the version CREATE FAILED
/// with the error before the message goes to the poison queue.
/// </summary>
internal sealed class TrainingJobFunction(TrainingRunner runner, FunctionApp app) : IInvocationHandler
{
    public string FunctionName => "trainingJob";

    public async Task<JsonNode?> InvokeAsync(InvocationContext context, CancellationToken cancellationToken)
    {
        var (solution, version) = Parse(context.DataText("job"));
        var last = context.DequeueCount >= app.Queues.MaxDequeueCount;
        SolutionVersion trained;
        try
        {
            trained = await runner.RunAsync(solution, version, last, cancellationToken);
        }
        catch (Exception e) when (last && e is not OperationCanceledException)
        {
            await runner.GiveUpAsync(solution, version, $"Training failed {context.DequeueCount} times; last error: {e.Message}", CancellationToken.None);
            throw;
        }

        context.Logs.Add($"training {trained.Arn}: {trained.State.Status}, phase {trained.Phase}, delivery {context.DequeueCount}"
            + (trained.State.FailureReason is null ? string.Empty : $" ({trained.State.FailureReason})"));
        return new JsonObject
        {
            ["solutionVersionArn"] = trained.Arn,
            ["status"] = trained.State.Status,
            ["failureReason"] = trained.State.FailureReason,
        };
    }

    private static (string Solution, string Version) Parse(string? text)
    {
        JsonObject? message;
        try
        {
            message = string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException e)
        {
            throw new InvalidInputException("job", $"The training message is not JSON: {e.Message}");
        }

        var solution = (string?)message?["solution"];
        var version = (string?)message?["version"];
        return message is null || (string?)message["kind"] != "train" || string.IsNullOrEmpty(solution) || string.IsNullOrEmpty(version)
            ? throw new InvalidInputException("job", "A training message is {\"kind\":\"train\",\"solution\":…,\"version\":…}.")
            : (solution, version);
    }
}
