namespace Recsys.Core.Resources;

/// <summary>
/// The lifecycle every Recsys resource goes through, with Personalize's status strings:
/// CREATE PENDING → CREATE IN_PROGRESS → ACTIVE or CREATE FAILED, and DELETE PENDING before removal.
/// </summary>
public static class ResourceStatus
{
    /// <summary>Accepted, work not started.</summary>
    public const string CreatePending = "CREATE PENDING";

    /// <summary>Work (import, training, provisioning) is running.</summary>
    public const string CreateInProgress = "CREATE IN_PROGRESS";

    /// <summary>Ready for use.</summary>
    public const string Active = "ACTIVE";

    /// <summary>Creation failed; the resource carries a failure reason.</summary>
    public const string CreateFailed = "CREATE FAILED";

    /// <summary>Being stopped on request (long-running jobs only).</summary>
    public const string CreateStopping = "CREATE STOPPING";

    /// <summary>Stopped on request before completion.</summary>
    public const string CreateStopped = "CREATE STOPPED";

    /// <summary>Deletion accepted; the resource disappears when it completes.</summary>
    public const string DeletePending = "DELETE PENDING";

    private static readonly Dictionary<string, string[]> s_transitions = new(StringComparer.Ordinal)
    {
        [CreatePending] = [CreateInProgress, CreateFailed, CreateStopping, DeletePending],
        [CreateInProgress] = [Active, CreateFailed, CreateStopping],
        [CreateStopping] = [CreateStopped, CreateFailed, Active],
        [Active] = [DeletePending],
        [CreateFailed] = [DeletePending],
        [CreateStopped] = [DeletePending],
        [DeletePending] = [],
    };

    /// <summary>All statuses, in lifecycle order.</summary>
    public static IReadOnlyCollection<string> All => s_transitions.Keys;

    /// <summary>Whether <paramref name="to"/> may follow <paramref name="from"/>.</summary>
    public static bool CanTransition(string from, string to)
        => s_transitions.TryGetValue(from, out var next) && Array.IndexOf(next, to) >= 0;

    /// <summary>Whether the status is final for creation (nothing more will happen without a new request).</summary>
    public static bool IsTerminal(string status)
        => status is Active or CreateFailed or CreateStopped;

    /// <summary>Throws <see cref="Errors.ResourceInUseException"/> when the transition is not allowed.</summary>
    public static void EnsureTransition(string resourceType, string name, string from, string to)
    {
        if (!CanTransition(from, to))
        {
            throw new Errors.ResourceInUseException(
                $"The {resourceType} '{name}' is {from} and cannot become {to}.");
        }
    }
}
