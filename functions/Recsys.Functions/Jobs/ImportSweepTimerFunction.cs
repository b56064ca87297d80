using System.Text.Json.Nodes;
using Recsys.Functions.Invocation;

namespace Recsys.Functions.Jobs;

/// <summary>
/// <c>importSweepTimer</c> (timer, <c>%ImportSweepSchedule%</c>): the safety net behind Event Grid. Every blob version
/// in the imports container that has no receipt yet is queued for import, so no dropped file is silently missed.
/// </summary>
internal sealed class ImportSweepTimerFunction(ImportDropScanner scanner) : IInvocationHandler
{
    public string FunctionName => "importSweepTimer";

    public async Task<JsonNode?> InvokeAsync(InvocationContext context, CancellationToken cancellationToken)
    {
        var pastDue = (bool?)context.DataJson("timer")?["IsPastDue"] ?? false;
        var queued = await scanner.ScanOnceAsync(cancellationToken);
        context.Logs.Add($"import sweep: {queued} new file(s) queued{(pastDue ? " (past due)" : string.Empty)}");
        return new JsonObject { ["queued"] = queued };
    }
}
