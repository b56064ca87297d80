namespace Recsys.Core.Errors;

/// <summary>
/// Base of the few exceptions that the service turns into client errors. Each subclass is named after what the
/// caller can do about it; the HTTP layer maps them in one place to <c>application/problem+json</c>.
/// </summary>
public abstract class RecsysException : Exception
{
    /// <summary>Creates the exception with a message meant for the caller.</summary>
    protected RecsysException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}

/// <summary>The request is invalid; <see cref="Errors"/> names each offending field and what is wrong with it.</summary>
public sealed class InvalidInputException : RecsysException
{
    /// <summary>Creates the exception for one invalid field.</summary>
    public InvalidInputException(string field, string problem)
        : this(problem, new Dictionary<string, string[]> { [field] = [problem] })
    {
    }

    /// <summary>Creates the exception with every problem found, by field.</summary>
    public InvalidInputException(string message, IReadOnlyDictionary<string, string[]> errors)
        : base(message)
    {
        Errors = errors;
    }

    /// <summary>Problems by field name (JSON path of the request field, or a CSV column).</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }
}

/// <summary>The named resource does not exist.</summary>
public sealed class ResourceNotFoundException(string resourceType, string name)
    : RecsysException($"The {resourceType} '{name}' does not exist.")
{
    /// <summary>Kind of resource, e.g. <c>dataset group</c>.</summary>
    public string ResourceType { get; } = resourceType;

    /// <summary>The name or identifier that was not found.</summary>
    public string Name { get; } = name;
}

/// <summary>A resource with this name already exists.</summary>
public sealed class ResourceAlreadyExistsException(string resourceType, string name)
    : RecsysException($"A {resourceType} named '{name}' already exists.")
{
    /// <summary>Kind of resource.</summary>
    public string ResourceType { get; } = resourceType;

    /// <summary>The conflicting name.</summary>
    public string Name { get; } = name;
}

/// <summary>The resource cannot be changed or deleted now: it is in use or in a state that forbids it.</summary>
public sealed class ResourceInUseException(string message) : RecsysException(message);

/// <summary>The caller's ETag does not match the stored one: someone else changed the resource first.</summary>
public sealed class PreconditionFailedException(string message) : RecsysException(message);

/// <summary>A service limit would be exceeded (too many resources, too large a request).</summary>
public sealed class LimitExceededException(string message) : RecsysException(message);

/// <summary>
/// Storage could not be reached or answered with a transient fault (5xx, throttling, timeout, connection refused) after
/// its client's own retries: the request may succeed later. The HTTP layer answers 503 with <c>Retry-After</c>.
/// </summary>
/// <remarks>
/// Deliberately not a <see cref="RecsysException"/>: jobs treat those as permanent failures of the job, while an outage
/// must fail only the delivery, so that the message is delivered again once storage is back.
/// </remarks>
public sealed class StorageUnavailableException : Exception
{
    /// <summary>Creates the exception for a fault of <paramref name="what"/> (e.g. <c>table storage</c>).</summary>
    public StorageUnavailableException(string what, Exception? innerException = null)
        : base($"The service's storage ({what}) is unavailable right now; retry in a few seconds.", innerException)
    {
    }

    /// <summary>How long a caller should wait before retrying.</summary>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromSeconds(5);
}
