using System.Globalization;

namespace Recsys.Data;

/// <summary>
/// The one rule for user, item and session ids wherever they arrive — a CSV import, PutEvents, PutItems/PutUsers or a
/// runtime request: 1 to <see cref="PersonalizeLimits.MaxIdLength"/> characters on a single line, without control
/// characters (an id with a line break cannot be exported, compared or shown reliably).
/// </summary>
public static class RecordIds
{
    /// <summary>Longest id, as Personalize.</summary>
    public const int MaxLength = PersonalizeLimits.MaxIdLength;

    /// <summary>What is wrong with <paramref name="id"/> as the value of <paramref name="name"/>, or null when it is a valid id.</summary>
    public static string? Problem(string name, ReadOnlySpan<char> id)
    {
        if (id.IsEmpty)
        {
            return $"{name} must not be empty.";
        }

        if (id.Length > MaxLength)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{name} has {id.Length} characters; the limit is {MaxLength}.");
        }

        var control = IndexOfControl(id);
        return control < 0
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"{name} contains a {Describe(id[control])} at position {control + 1}; ids are single-line, without control characters.");
    }

    /// <summary>The index of the first control character (C0, DEL or C1) in <paramref name="text"/>, or -1.</summary>
    public static int IndexOfControl(ReadOnlySpan<char> text)
    {
        var c0 = text.IndexOfAnyInRange('\0', '\u001F');
        var c1 = text.IndexOfAnyInRange('\u007F', '\u009F');
        return c0 < 0 ? c1 : c1 < 0 ? c0 : Math.Min(c0, c1);
    }

    private static string Describe(char c) => c switch
    {
        '\n' or '\r' => "line break",
        '\t' => "tab",
        _ => string.Create(CultureInfo.InvariantCulture, $"control character U+{(int)c:X4}"),
    };
}
