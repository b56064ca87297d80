using System.Globalization;
using System.Text.Json.Nodes;

namespace Recsys.Cli;

/// <summary><c>recommend &lt;campaign&gt; &lt;user&gt;</c>: a campaign's recommendations for a user (or, with --item, related items), one per line.</summary>
internal static class RecommendCommand
{
    public static async Task<int> RunAsync(RecsysClient client, string campaign, string? user, string? item, int count, bool json, CancellationToken cancellationToken)
    {
        var request = new JsonObject { ["campaignArn"] = campaign, ["numResults"] = count };
        if (!string.IsNullOrEmpty(user))
        {
            request["userId"] = user;
        }

        if (item is not null)
        {
            request["itemId"] = item;
        }

        var answer = await client.PostAsync("api/recommendations", request, cancellationToken);
        if (json)
        {
            Console.WriteLine(answer.ToJsonString());
        }
        else
        {
            Print(answer);
        }

        return ExitCodes.Success;
    }

    /// <summary>Prints an <c>itemList</c> as rank, item id, score and metadata, tab-separated.</summary>
    public static void Print(JsonObject answer)
    {
        var rank = 0;
        foreach (var item in (answer["itemList"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var score = item["score"] is { } s ? ((double)s).ToString("0.0000", CultureInfo.InvariantCulture) : "-";
            var metadata = item["metadata"] is JsonObject m ? "\t" + string.Join(", ", m.Select(p => $"{p.Key}={p.Value}")) : string.Empty;
            Console.WriteLine($"{++rank,3}\t{item["itemId"]}\t{score}{metadata}");
        }

        if (rank == 0)
        {
            Console.WriteLine("  (no recommendations)");
        }
    }
}
