using Recsys.Core.Errors;

namespace Recsys.Core.Resources;

/// <summary>
/// ARN-like identifiers (<c>arn:recsys:personalize:::dataset-group/movies</c>: partition <c>recsys</c>, service
/// <c>personalize</c>, so that they match the ARN pattern of Personalize clients). Wherever Personalize takes an ARN, Recsys
/// takes either the ARN it returned, an AWS-style ARN with the same resource path, or the plain name.
/// </summary>
/// <remarks>
/// Resolving is also where every identifier from a request is validated, before any storage key is built from it:
/// each segment of the resource path must be a well-formed <see cref="ResourceName"/>, so a malformed identifier
/// (<c>a/b</c>, <c>../x</c>, <c>%2F</c>, control characters, 10,000 characters) is an
/// <see cref="InvalidInputException"/> naming the field, and a well-formed one that names nothing is a
/// <see cref="ResourceNotFoundException"/> from the lookup that follows — never a storage error.
/// </remarks>
public static class ResourceArn
{
    /// <summary>Longest identifier looked at: the prefix, a resource type and a few names, with room to spare.</summary>
    public const int MaxLength = 512;

    private const string Prefix = "arn:recsys:personalize:::";

    /// <summary>The identifier Recsys returns for a resource of <paramref name="resourceType"/>.</summary>
    public static string For(string resourceType, string path) => Prefix + resourceType + "/" + path;

    /// <summary>
    /// Resolves <paramref name="identifier"/> (ARN or name) of a resource addressed by one name to that name.
    /// </summary>
    /// <exception cref="InvalidInputException">The identifier is missing or malformed; names <paramref name="field"/>.</exception>
    public static string Resolve(string resourceType, string? identifier, string field)
        => ResolvePath(resourceType, identifier, field, 1)[0];

    /// <summary>
    /// Resolves <paramref name="identifier"/> (ARN or <c>{name}/{name}…</c>) of a resource addressed by
    /// <paramref name="segments"/> names (a solution version is <c>{solution}/{version}</c>) to those names.
    /// </summary>
    /// <exception cref="InvalidInputException">The identifier is missing or malformed; names <paramref name="field"/>.</exception>
    public static string[] ResolvePath(string resourceType, string? identifier, string field, int segments)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(segments, 1);
        var expected = string.Join('/', Enumerable.Repeat("<name>", segments));
        if (string.IsNullOrWhiteSpace(identifier))
        {
            throw new InvalidInputException(field, $"A {resourceType} name or ARN is required.");
        }

        if (identifier.Length > MaxLength)
        {
            throw new InvalidInputException(field, $"A {resourceType} name or ARN has at most {MaxLength} characters; this one has {identifier.Length}.");
        }

        var path = identifier;
        if (identifier.StartsWith("arn:", StringComparison.Ordinal))
        {
            // arn:partition:service:region:account:resource-type/path — the resource part is after the fifth ':'.
            var parts = identifier.Split(':', 6);
            var marker = resourceType + "/";
            if (parts.Length != 6 || !parts[5].StartsWith(marker, StringComparison.Ordinal) || parts[5].Length == marker.Length)
            {
                throw new InvalidInputException(field, $"'{Shown(identifier)}' is not a {resourceType} ARN (expected '{Prefix}{marker}{expected}').");
            }

            path = parts[5][marker.Length..];
        }

        var names = path.Split('/');
        if (names.Length != segments)
        {
            throw new InvalidInputException(field, $"'{Shown(identifier)}' does not name a {resourceType}: expected '{expected}' or '{Prefix}{resourceType}/{expected}'.");
        }

        foreach (var name in names)
        {
            if (ResourceName.Problem(name) is { } problem)
            {
                throw new InvalidInputException(field, $"'{Shown(identifier)}' does not name a {resourceType}: {problem}");
            }
        }

        return names;
    }

    /// <summary>The identifier as an error message may quote it: printable and short.</summary>
    private static string Shown(string identifier)
    {
        var printable = new string(identifier.Take(100).Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return identifier.Length > 100 ? printable + "…" : printable;
    }
}
