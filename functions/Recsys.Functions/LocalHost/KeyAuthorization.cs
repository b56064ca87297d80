using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Extensions.Options;
using Recsys.Functions.Api;
using Recsys.Functions.Hosting;

namespace Recsys.Functions.LocalHost;

/// <summary>
/// What the Functions host does before a request reaches the handler: match the URL to an HTTP function's route
/// (404 when none does, 405 for a method it does not declare), then enforce the function's <c>authLevel</c> with the
/// <c>x-functions-key</c> header or <c>code</c> query parameter (401). Admin endpoints and invocation endpoints
/// need the master key.
/// </summary>
internal sealed class KeyAuthorization
{
    public const string KeyHeader = "x-functions-key";

    private readonly RequestDelegate _next;
    private readonly FunctionApp _app;
    private readonly LocalHostOptions _options;
    private readonly IProblemDetailsService _problems;
    private readonly (FunctionDefinition Function, TemplateMatcher Matcher)[] _routes;

    public KeyAuthorization(RequestDelegate next, FunctionApp app, IOptions<LocalHostOptions> options, IProblemDetailsService problems)
    {
        _next = next;
        _app = app;
        _options = options.Value;
        _problems = problems;

        // Routes with more literal text first, so that "manage/dataset-groups" wins over "{*path}".
        _routes = app.Functions
            .Where(f => f.Trigger == TriggerKind.Http)
            .OrderByDescending(f => f.Route!.Count(c => c != '{' && c != '}' && c != '*'))
            .Select(f => (f, new TemplateMatcher(TemplateParser.Parse(f.Route!), new RouteValueDictionary())))
            .ToArray();
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        var prefix = "/" + _app.RoutePrefix;

        if (path == "/")
        {
            await _next(context);
            return;
        }

        if (_app.RoutePrefix.Length == 0 || path.StartsWith(prefix + "/", StringComparison.OrdinalIgnoreCase) || path.Equals(prefix, StringComparison.OrdinalIgnoreCase))
        {
            await AuthorizeFunctionAsync(context, path[prefix.Length..]);
            return;
        }

        // Admin endpoints (/admin/...) and invocation endpoints (/{FunctionName}) are the host's own: master key only.
        if (!IsKeyValid(context, AuthLevel.Admin, null))
        {
            await RejectAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized", "This endpoint needs the master key.");
            return;
        }

        await _next(context);
    }

    private async Task AuthorizeFunctionAsync(HttpContext context, string functionPath)
    {
        var routePath = new PathString(functionPath.Length == 0 ? "/" : functionPath);
        FunctionDefinition? routeMatch = null;
        foreach (var (function, matcher) in _routes)
        {
            if (!matcher.TryMatch(routePath, new RouteValueDictionary()))
            {
                continue;
            }

            routeMatch ??= function;
            if (function.Methods.Count == 0 || function.Methods.Contains(context.Request.Method.ToUpperInvariant()))
            {
                if (!IsKeyValid(context, function.AuthLevel, function.Name))
                {
                    await RejectAsync(
                        context,
                        StatusCodes.Status401Unauthorized,
                        "Unauthorized",
                        function.AuthLevel == AuthLevel.Admin
                            ? $"'{function.Name}' needs the master key in the {KeyHeader} header or the code query parameter."
                            : $"'{function.Name}' needs a function key in the {KeyHeader} header or the code query parameter.");
                    return;
                }

                await _next(context);
                return;
            }
        }

        if (routeMatch is not null)
        {
            context.Response.Headers.Allow = string.Join(", ", routeMatch.Methods);
            await RejectAsync(context, StatusCodes.Status405MethodNotAllowed, "Method not allowed",
                $"'{routeMatch.Name}' accepts {string.Join(", ", routeMatch.Methods)}, not {context.Request.Method}.");
            return;
        }

        await RejectAsync(context, StatusCodes.Status404NotFound, "Not found", $"No function handles {context.Request.Path}.");
    }

    private bool IsKeyValid(HttpContext context, AuthLevel level, string? functionName)
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

        if (Matches(presented, _options.MasterKey))
        {
            return true;
        }

        return level == AuthLevel.Function
            && (Matches(presented, _options.HostKey)
                || (functionName is not null && _options.FunctionKeys.TryGetValue(functionName, out var key) && Matches(presented, key)));
    }

    private static bool Matches(string presented, string? expected)
        => !string.IsNullOrEmpty(expected)
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(expected));

    private async Task RejectAsync(HttpContext context, int status, string title, string detail)
        => await Problems.WriteAsync(_problems, context, Problems.Create(status, title, detail));
}
