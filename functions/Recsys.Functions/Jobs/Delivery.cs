using System.Globalization;
using System.Text.Json;
using Microsoft.Azure.Functions.Worker;

namespace Recsys.Functions.Jobs;

/// <summary>What the host says about a queue message's delivery.</summary>
internal static class Delivery
{
    /// <summary>How many times the message has been delivered, this delivery included (1 when the host does not say).</summary>
    public static int DequeueCount(FunctionContext context)
    {
        if (!context.BindingContext.BindingData.TryGetValue("DequeueCount", out var value) || value is null)
        {
            return 1;
        }

        return value switch
        {
            int i => i,
            long l => (int)l,
            JsonElement { ValueKind: JsonValueKind.Number } n => n.GetInt32(),
            _ => int.TryParse(Convert.ToString(value, CultureInfo.InvariantCulture)?.Trim('"'), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed : 1,
        };
    }
}
