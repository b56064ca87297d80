using Recsys.Core.Errors;

namespace Recsys.Core.Resources;

/// <summary>
/// ARN-like identifiers (<c>arn:recsys:personalize:::dataset-group/movies</c>: partition <c>recsys</c>, service
/// <c>personalize</c>, so that they match the ARN pattern of Personalize clients). Wherever Personalize takes an ARN, Recsys
/// takes either the ARN it returned, an AWS-style ARN with the same resource path, or the plain name.
/// </summary>
public static class ResourceArn
{
    private const string Prefix = "arn:recsys:personalize:::";

    /// <summary>The identifier Recsys returns for a resource of <paramref name="resourceType"/>.</summary>
    public static string For(string resourceType, string path) => Prefix + resourceType + "/" + path;

    /// <summary>
    /// Resolves <paramref name="identifier"/> (ARN or name) to the resource path after <c>{resourceType}/</c>.
    /// </summary>
    public static string Resolve(string resourceType, string? identifier, string field)
    {
        if (string.IsNullOrWhiteSpace(identifier))
        {
            throw new InvalidInputException(field, $"A {resourceType} name or ARN is required.");
        }

        if (!identifier.StartsWith("arn:", StringComparison.Ordinal))
        {
            return identifier;
        }

        // arn:partition:service:region:account:resource-type/path — the resource part is after the fifth ':'.
        var parts = identifier.Split(':', 6);
        var marker = resourceType + "/";
        if (parts.Length != 6 || !parts[5].StartsWith(marker, StringComparison.Ordinal) || parts[5].Length == marker.Length)
        {
            throw new InvalidInputException(field, $"'{identifier}' is not a {resourceType} ARN (expected '{Prefix}{marker}<name>').");
        }

        return parts[5][marker.Length..];
    }
}
