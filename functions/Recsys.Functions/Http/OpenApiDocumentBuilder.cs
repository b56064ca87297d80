using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;

namespace Recsys.Functions.Http;

/// <summary>
/// Builds the OpenAPI 3.1 document of the HTTP API from the functions themselves: each <c>[Function]</c> with an
/// <c>[HttpTrigger]</c> is an operation (its route, methods and auth level), its answers come from its declared result
/// types (<c>Ok&lt;T&gt;</c>, <c>Created&lt;T&gt;</c>, <c>NoContent</c>, …) and its body and query parameters from the
/// <see cref="OpenApiBodyAttribute"/> and <see cref="OpenApiQueryAttribute"/> beside it. Schemas are the API's own JSON
/// contract (<see cref="ApiJson"/>), so the document cannot drift from what the functions send and accept.
/// </summary>
internal static partial class OpenApiDocumentBuilder
{
    private const string RoutePrefix = "/api/";

    /// <summary>Builds the document for every HTTP function in <paramref name="assembly"/>.</summary>
    public static JsonObject Build(Assembly assembly)
    {
        var paths = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var type in assembly.GetTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            var tag = type.GetCustomAttribute<OpenApiTagAttribute>()?.Name ?? type.Name;
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static))
            {
                if (method.GetCustomAttribute<FunctionAttribute>() is not { } function
                    || method.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null) is not { } trigger)
                {
                    continue;
                }

                var route = trigger.Route ?? function.Name;
                var path = RoutePrefix + CatchAll().Replace(route, "{$1}");
                foreach (var verb in trigger.Methods ?? ["get", "post"])
                {
                    Path(paths, path)[verb.ToLowerInvariant()] = Operation(function.Name, tag, trigger.AuthLevel, path, method, Responses(method.ReturnType));
                }

                foreach (var suffix in method.GetCustomAttributes<OpenApiSuffixOperationAttribute>())
                {
                    var longer = path + "/" + suffix.Suffix;
                    Path(paths, longer)["get"] = Operation(suffix.OperationId, tag, trigger.AuthLevel, longer, method, Responses(suffix.Response), body: false);
                }
            }
        }

        return new JsonObject
        {
            ["openapi"] = "3.1.1",
            ["info"] = new JsonObject
            {
                ["title"] = "Recsys",
                ["version"] = "v1",
                ["description"] = "Recommendations on Azure Functions with Amazon Personalize's concepts and JSON: the manage API (admin level: the master key), "
                    + "the runtime and events APIs (function level: a function key, a host key or the master key). Keys go in the x-functions-key header or the code query parameter. "
                    + "Errors are application/problem+json with x-amzn-ErrorType.",
            },
            ["paths"] = new JsonObject([.. paths.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))]),
            ["components"] = new JsonObject
            {
                ["securitySchemes"] = new JsonObject
                {
                    ["functionKey"] = new JsonObject { ["type"] = "apiKey", ["in"] = "header", ["name"] = "x-functions-key" },
                    ["functionKeyQuery"] = new JsonObject { ["type"] = "apiKey", ["in"] = "query", ["name"] = "code" },
                },
                ["schemas"] = new JsonObject { ["ProblemDetails"] = Schema(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails)) },
            },
        };
    }

    private static JsonObject Path(SortedDictionary<string, JsonObject> paths, string path)
    {
        if (!paths.TryGetValue(path, out var item))
        {
            paths[path] = item = [];
        }

        return item;
    }

    private static JsonObject Operation(string operationId, string tag, AuthorizationLevel level, string path, MethodInfo method, JsonObject responses, bool body = true)
    {
        var parameters = new JsonArray();
        foreach (Match name in PathParameter().Matches(path))
        {
            parameters.Add(new JsonObject { ["name"] = name.Groups[1].Value, ["in"] = "path", ["required"] = true, ["schema"] = new JsonObject { ["type"] = "string" } });
        }

        foreach (var query in method.GetCustomAttributes<OpenApiQueryAttribute>())
        {
            parameters.Add(new JsonObject { ["name"] = query.Name, ["in"] = "query", ["required"] = false, ["schema"] = Schema(query.Type) });
        }

        if (level != AuthorizationLevel.Anonymous)
        {
            responses["401"] = Problem("No key, or a key that does not grant this operation.");
        }

        responses["4XX"] = Problem("Invalid request, unknown resource or conflict: a problem naming what is wrong.");
        responses["503"] = Problem("Storage is unreachable; retry after Retry-After seconds.");
        var operation = new JsonObject
        {
            ["operationId"] = operationId,
            ["tags"] = new JsonArray(tag),
            ["description"] = level switch
            {
                AuthorizationLevel.Anonymous => "Anonymous.",
                AuthorizationLevel.Admin => "Admin level: the master key.",
                _ => "Function level: a function key, a host key or the master key.",
            },
            ["parameters"] = parameters,
            ["responses"] = responses,
        };
        if (level != AuthorizationLevel.Anonymous)
        {
            operation["security"] = new JsonArray(new JsonObject { ["functionKey"] = new JsonArray() }, new JsonObject { ["functionKeyQuery"] = new JsonArray() });
        }

        if (body && method.GetCustomAttribute<OpenApiBodyAttribute>() is { } request)
        {
            operation["requestBody"] = new JsonObject
            {
                ["required"] = true,
                ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = Schema(request.Type) } },
            };
        }

        return operation;
    }

    private static JsonObject Responses(Type returnType)
    {
        var responses = new JsonObject();
        foreach (var result in Results(returnType))
        {
            var (status, description) = result.IsGenericType ? result.GetGenericTypeDefinition() switch
            {
                var t when t == typeof(Ok<>) => ("200", "OK"),
                var t when t == typeof(Created<>) => ("201", "Created"),
                _ => ("200", "OK"),
            }
            : result == typeof(NoContent) ? ("204", "No content")
            : ("200", "OK");
            var response = new JsonObject { ["description"] = description };
            if (result.IsGenericType && result.GetGenericArguments() is [var value])
            {
                response["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = Schema(value) } };
            }
            else if (result == typeof(ContentHttpResult))
            {
                response["content"] = new JsonObject { ["text/plain"] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "string" } } };
            }

            if (!responses.ContainsKey(status))
            {
                responses[status] = response;
            }
        }

        return responses;
    }

    // The result types a function declares: T of Task<T>, and each case of Results<T1, …>.
    private static Type[] Results(Type type)
    {
        if (type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Task<>) || type.GetGenericTypeDefinition() == typeof(ValueTask<>)))
        {
            type = type.GetGenericArguments()[0];
        }

        return type.IsGenericType && type.Name.StartsWith("Results`", StringComparison.Ordinal) ? type.GetGenericArguments() : [type];
    }

    private static JsonObject Problem(string description) => new()
    {
        ["description"] = description,
        ["content"] = new JsonObject { ["application/problem+json"] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = "#/components/schemas/ProblemDetails" } } },
    };

    private static JsonNode Schema(Type type) => ApiJson.Options.GetJsonSchemaAsNode(type, new JsonSchemaExporterOptions { TreatNullObliviousAsNonNullable = true });

    [GeneratedRegex(@"\{\*{1,2}([^}]+)\}")]
    private static partial Regex CatchAll();

    [GeneratedRegex(@"\{([^}*]+)\}")]
    private static partial Regex PathParameter();
}
