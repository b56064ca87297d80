namespace Recsys.Functions.Http;

/// <summary>
/// Identifiers taken from a route. Routes that name a resource are catch-all (<c>{*identifier}</c>) so that an ARN
/// works as it is (its <c>/</c> unencoded) as well as URL-encoded; this decodes what is left encoded.
/// </summary>
internal static class RouteIdentifier
{
    /// <summary>The identifier in <paramref name="raw"/>, decoded (empty when the route gives none: the service then says one is required).</summary>
    public static string Decode(string? raw) => raw is null ? string.Empty : Uri.UnescapeDataString(raw);

    /// <summary>
    /// Splits a trailing <c>/{suffix}</c> off <paramref name="raw"/> (decoded) when what is left is still an identifier
    /// (<paramref name="isIdentifier"/>), as in <c>…/solution-versions/{solution}/{version}/metrics</c>.
    /// </summary>
    public static bool TrySplitSuffix(string? raw, string suffix, Func<string, bool> isIdentifier, out string identifier)
    {
        var decoded = Decode(raw);
        var tail = "/" + suffix;
        if (decoded.EndsWith(tail, StringComparison.Ordinal) && isIdentifier(decoded[..^tail.Length]))
        {
            identifier = decoded[..^tail.Length];
            return true;
        }

        identifier = decoded;
        return false;
    }
}
