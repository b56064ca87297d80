using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Recsys.DevHost.Hosting;
using Recsys.DevHost.Worker;

namespace Recsys.DevHost.Http;

/// <summary>
/// The Functions host's key check: the key comes in the <c>x-functions-key</c> header (preferred) or the
/// <c>code</c> query parameter; <c>function</c> level takes the function's key, a host key or the master key,
/// <c>admin</c> the master key only. Keys are compared in constant time and never logged.
/// </summary>
internal sealed class KeyCheck(IOptions<DevHostOptions> options)
{
    public const string KeyHeader = "x-functions-key";
    private readonly byte[]? _master = Bytes(options.Value.MasterKey);
    private readonly byte[]? _host = Bytes(options.Value.HostKey);
    private readonly Dictionary<string, byte[]> _functions = options.Value.FunctionKeys
        .Where(k => !string.IsNullOrEmpty(k.Value))
        .ToDictionary(k => k.Key, k => Encoding.UTF8.GetBytes(k.Value), StringComparer.OrdinalIgnoreCase);

    public bool IsAuthorized(HttpContext context, AuthLevel level, string? functionName)
    {
        if (level == AuthLevel.Anonymous)
        {
            return true;
        }

        string? presented = context.Request.Headers[KeyHeader];
        if (string.IsNullOrEmpty(presented))
        {
            presented = context.Request.Query["code"];
        }

        if (string.IsNullOrEmpty(presented))
        {
            return false;
        }

        var key = Encoding.UTF8.GetBytes(presented);
        if (Matches(key, _master))
        {
            return true;
        }

        return level == AuthLevel.Function
            && (Matches(key, _host)
                || (functionName is not null && _functions.TryGetValue(functionName, out var functionKey) && Matches(key, functionKey)));
    }

    private static bool Matches(byte[] presented, byte[]? expected)
        => expected is not null && CryptographicOperations.FixedTimeEquals(presented, expected);

    private static byte[]? Bytes(string? key) => string.IsNullOrEmpty(key) ? null : Encoding.UTF8.GetBytes(key);
}
