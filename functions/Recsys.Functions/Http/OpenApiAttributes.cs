namespace Recsys.Functions.Http;

/// <summary>The tag an HTTP function class's operations are grouped under in the OpenAPI document.</summary>
[AttributeUsage(AttributeTargets.Class)]
internal sealed class OpenApiTagAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>The JSON body an HTTP function reads (its schema goes into the OpenAPI document).</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class OpenApiBodyAttribute(Type type) : Attribute
{
    public Type Type { get; } = type;
}

/// <summary>A query parameter an HTTP function reads.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
internal sealed class OpenApiQueryAttribute(string name, Type type) : Attribute
{
    public string Name { get; } = name;

    public Type Type { get; } = type;
}

/// <summary>
/// A second operation one HTTP function also serves on a longer path (e.g. <c>…/{solutionVersion}/metrics</c> beside
/// <c>…/{solutionVersion}</c>, which share a catch-all route so that unencoded ARNs work), with its answer type.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
internal sealed class OpenApiSuffixOperationAttribute(string operationId, string suffix, Type response) : Attribute
{
    public string OperationId { get; } = operationId;

    public string Suffix { get; } = suffix;

    public Type Response { get; } = response;
}
