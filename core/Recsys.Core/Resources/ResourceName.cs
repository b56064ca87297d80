using System.Text.RegularExpressions;
using Recsys.Core.Errors;

namespace Recsys.Core.Resources;

/// <summary>Naming rules shared by all resources (Personalize's: letters, digits, '-' and '_', 1–63 characters).</summary>
public static partial class ResourceName
{
    /// <summary>Longest name accepted.</summary>
    public const int MaxLength = 63;

    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    /// <summary>Returns the problem with <paramref name="name"/>, or null when it is valid.</summary>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "A name is required.";
        }

        if (name.Length > MaxLength)
        {
            return $"A name has at most {MaxLength} characters; this one has {name.Length}.";
        }

        return Pattern().IsMatch(name)
            ? null
            : "A name starts with a letter or digit and contains only letters, digits, '-' and '_'.";
    }

    /// <summary>Throws <see cref="InvalidInputException"/> naming <paramref name="field"/> when the name is invalid.</summary>
    public static string Validate(string? name, string field = "name")
    {
        var problem = Problem(name);
        if (problem is not null)
        {
            throw new InvalidInputException(field, problem);
        }

        return name!;
    }
}
