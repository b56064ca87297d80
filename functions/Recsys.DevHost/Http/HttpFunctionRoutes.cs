using Microsoft.AspNetCore.Routing.Template;
using Recsys.DevHost.Worker;

namespace Recsys.DevHost.Http;

/// <summary>
/// Matches a request path (without the route prefix) to an HTTP function by its ASP.NET Core route template,
/// most specific template first, as the host's router does; inline constraints (<c>{id:int}</c>) apply.
/// </summary>
internal sealed class HttpFunctionRoutes
{
    private readonly Route[] _routes;

    public HttpFunctionRoutes(IEnumerable<WorkerFunction> functions, IInlineConstraintResolver constraints)
    {
        _routes = functions
            .Where(f => f.Trigger == TriggerKind.Http)
            .Select(f =>
            {
                var template = TemplateParser.Parse(f.Route!);
                var routeConstraints = template.Parameters
                    .SelectMany(p => p.InlineConstraints.Select(c => (p.Name!, Constraint: constraints.ResolveConstraint(c.Constraint))))
                    .Where(c => c.Constraint is not null)
                    .Select(c => (c.Item1, c.Constraint!))
                    .ToArray();
                return new Route(f, new TemplateMatcher(template, Defaults(template)), RoutePrecedence.ComputeInbound(template), routeConstraints);
            })
            .OrderBy(r => r.Precedence)
            .ToArray();
    }

    public enum MatchKind
    {
        None,
        Matched,
        MethodNotAllowed,
    }

    /// <summary>Finds the function for <paramref name="path"/> and <paramref name="method"/>; fills the route values.</summary>
    public MatchKind Match(HttpContext context, PathString path, string method, RouteValueDictionary values, out WorkerFunction? function)
    {
        function = null;
        WorkerFunction? pathOnly = null;
        foreach (var route in _routes)
        {
            values.Clear();
            if (!route.Matcher.TryMatch(path, values) || !ConstraintsHold(context, route, values))
            {
                continue;
            }

            pathOnly ??= route.Function;
            if (AllowsMethod(route.Function, method))
            {
                function = route.Function;
                return MatchKind.Matched;
            }
        }

        values.Clear();
        function = pathOnly;
        return pathOnly is null ? MatchKind.None : MatchKind.MethodNotAllowed;
    }

    private static bool AllowsMethod(WorkerFunction function, string method)
    {
        if (function.Methods.Count == 0)
        {
            return true;
        }

        foreach (var allowed in function.Methods)
        {
            if (string.Equals(allowed, method, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool ConstraintsHold(HttpContext context, Route route, RouteValueDictionary values)
    {
        foreach (var (name, constraint) in route.Constraints)
        {
            if (values.ContainsKey(name) && !constraint.Match(context, null, name, values, RouteDirection.IncomingRequest))
            {
                return false;
            }
        }

        return true;
    }

    private static RouteValueDictionary Defaults(RouteTemplate template)
    {
        var defaults = new RouteValueDictionary();
        foreach (var parameter in template.Parameters)
        {
            if (parameter.DefaultValue is not null)
            {
                defaults[parameter.Name!] = parameter.DefaultValue;
            }
        }

        return defaults;
    }

    private sealed record Route(WorkerFunction Function, TemplateMatcher Matcher, decimal Precedence, (string Name, IRouteConstraint Constraint)[] Constraints);
}
