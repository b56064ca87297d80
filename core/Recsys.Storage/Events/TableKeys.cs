using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Recsys.Storage.Events;

/// <summary>
/// Turns ids from requests (user, session, event, item ids: any characters) into table keys. Table keys may not hold
/// '/', '\', '#', '?' or control characters, and '%' and '\'' trip some clients, so those (and '~', the escape
/// character, and surrogates) become <c>~XXXX</c>; an escaped id longer than a key may be is replaced by its hash.
/// </summary>
internal static class TableKeys
{
    // Azure allows 1 KiB keys; keep room for the dataset group and separators.
    private const int MaxEscapedLength = 400;

    public static string Escape(string id)
    {
        var builder = (StringBuilder?)null;
        for (var i = 0; i < id.Length; i++)
        {
            var c = id[i];
            if (NeedsEscape(c))
            {
                builder ??= new StringBuilder(id.Length + 16).Append(id, 0, i);
                builder.Append('~').Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }
            else
            {
                builder?.Append(c);
            }
        }

        var escaped = builder?.ToString() ?? id;
        return escaped.Length <= MaxEscapedLength
            ? escaped
            : "~~" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)));
    }

    private static bool NeedsEscape(char c)
        => c is '/' or '\\' or '#' or '?' or '%' or '\'' or '~' || char.IsControl(c) || char.IsSurrogate(c);
}
