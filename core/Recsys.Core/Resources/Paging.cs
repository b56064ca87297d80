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
