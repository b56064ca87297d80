using Recsys.Core.Errors;

namespace Recsys.Core.Resources;

/// <summary>Validation of list requests (Personalize: <c>maxResults</c> 1–100, default 100).</summary>
public static class Paging
{
    /// <summary>Largest page a list call returns.</summary>
    public const int MaxPageSize = 100;

    /// <summary>Returns the page size to use, or throws naming <c>maxResults</c>.</summary>
    public static int PageSize(int? maxResults)
    {
        if (maxResults is null)
        {
            return MaxPageSize;
        }

        return maxResults is >= 1 and <= MaxPageSize
            ? maxResults.Value
            : throw new InvalidInputException("maxResults", $"maxResults must be between 1 and {MaxPageSize}.");
    }
}

/// <summary>
/// The <c>nextToken</c> of list calls: a store's own continuation, wrapped so that it is self-checking before it reaches
/// storage. A token is base64url of a version byte, an 8-byte check over the version, the listed scope and the
/// continuation, and the continuation itself; anything else — garbage, a truncated or edited token, one issued for another
/// listing, or one longer than any token Recsys issues — is an <see cref="InvalidInputException"/> naming <c>nextToken</c>.
/// </summary>
/// <remarks>
/// The check is a truncated SHA-256, not a keyed MAC: tokens must stay valid across instances and restarts without a shared
/// secret, and a forged token could only start a listing the caller may already read at another position.
/// </remarks>
public static class PageToken
{
    /// <summary>Longest token accepted (a table continuation holds two keys of at most 1 KiB each).</summary>
    public const int MaxLength = 4096;

    private const byte Version = 1;
    private const int CheckBytes = 8;

    /// <summary>The token that resumes listing <paramref name="scope"/> at <paramref name="continuation"/>; null when there is no next page.</summary>
    public static string? Encode(string scope, string? continuation)
    {
        ArgumentNullException.ThrowIfNull(scope);
        if (continuation is null)
        {
            return null;
        }

        var payload = System.Text.Encoding.UTF8.GetBytes(continuation);
        var bytes = new byte[1 + CheckBytes + payload.Length];
        bytes[0] = Version;
        payload.CopyTo(bytes, 1 + CheckBytes);
        Check(scope, payload).CopyTo(bytes.AsSpan(1));
        return System.Buffers.Text.Base64Url.EncodeToString(bytes);
    }

    /// <summary>The continuation in <paramref name="token"/> (null for no token), or throws naming <c>nextToken</c>.</summary>
    /// <exception cref="InvalidInputException">The token was not issued by <see cref="Encode"/> for <paramref name="scope"/>.</exception>
    public static string? Decode(string scope, string? token)
    {
        ArgumentNullException.ThrowIfNull(scope);
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        if (token.Length > MaxLength)
        {
            throw Invalid($"nextToken has {token.Length} characters; a token Recsys returns has at most {MaxLength}.");
        }

        byte[] bytes;
        try
        {
            bytes = System.Buffers.Text.Base64Url.DecodeFromChars(token);
        }
        catch (FormatException)
        {
            throw Invalid("nextToken is not a token returned by a previous list call.");
        }

        if (bytes.Length <= 1 + CheckBytes || bytes[0] != Version)
        {
            throw Invalid("nextToken is not a token returned by a previous list call.");
        }

        var payload = bytes.AsSpan(1 + CheckBytes);
        if (!System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(bytes.AsSpan(1, CheckBytes), Check(scope, payload)))
        {
            throw Invalid("nextToken was not returned by this list call, or was changed.");
        }

        try
        {
            return new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(payload);
        }
        catch (System.Text.DecoderFallbackException)
        {
            throw Invalid("nextToken is not a token returned by a previous list call.");
        }
    }

    private static byte[] Check(string scope, ReadOnlySpan<byte> payload)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        hash.AppendData([Version]);
        hash.AppendData(System.Text.Encoding.UTF8.GetBytes(scope));
        hash.AppendData([0]);
        hash.AppendData(payload);
        return hash.GetHashAndReset()[..CheckBytes];
    }

    private static InvalidInputException Invalid(string problem) => new("nextToken", problem);
}
