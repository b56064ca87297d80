using System.Text.Json;
using Recsys.Core.Errors;
using Recsys.Core.Resources;
using Recsys.Data;
using Recsys.Data.Schemas;

namespace Recsys.Core.Schemas;

/// <summary>Use cases for schemas: create (with every problem listed), describe, list, delete.</summary>
public sealed class SchemaService(IResourceStore<Schema> store, TimeProvider timeProvider)
{
    private const string Scope = IResourceStore<Schema>.GlobalScope;

    /// <summary>
    /// Creates a schema. Personalize's CreateSchema takes no dataset type, so the type is the one whose required
    /// fields the schema has (USER_ID + ITEM_ID + TIMESTAMP: Interactions; ITEM_ID: Items; USER_ID: Users), and the
    /// schema is validated against that type's rules; every problem is reported at once.
    /// </summary>
    public async Task<Stored<Schema>> CreateAsync(string? name, string? definition, string? domain, CancellationToken cancellationToken = default)
    {
        var errors = new Dictionary<string, string[]>();
        if (ResourceName.Problem(name) is { } nameProblem)
        {
            errors["name"] = [nameProblem];
        }

        DatasetType? type = null;
        if (string.IsNullOrWhiteSpace(definition))
        {
            errors["schema"] = ["The schema (Avro JSON) is required."];
        }
        else if (definition.Length > PersonalizeLimits.MaxSchemaLength)
        {
            errors["schema"] = [$"The schema has {definition.Length} characters; the limit is {PersonalizeLimits.MaxSchemaLength}."];
        }
        else
        {
            type = InferType(definition, out var typeProblem);
            if (type is null)
            {
                errors["schema"] = [typeProblem!];
            }
            else if (!DatasetSchema.TryParse(definition, type.Value, out _, out var schemaErrors))
            {
                foreach (var (path, messages) in schemaErrors)
                {
                    errors["schema." + path.TrimStart('$').TrimStart('.')] = messages;
                }
            }
        }

        if (errors.Count > 0)
        {
            throw new InvalidInputException($"The schema request is invalid ({errors.Values.Sum(e => e.Length)} problems).", errors);
        }

        var schema = new Schema(name!, ResourceState.New(ResourceStatus.Active, timeProvider.GetUtcNow()), definition!, type!.Value, domain);
        return await store.CreateAsync(Scope, schema.Name, schema, cancellationToken);
    }

    /// <summary>Reads a schema by name or ARN.</summary>
    public Task<Stored<Schema>> DescribeAsync(string? identifier, CancellationToken cancellationToken = default)
        => store.GetAsync(Scope, ResourceArn.Resolve(Schema.ResourceType, identifier, "schemaArn"), "schema", cancellationToken);

    /// <summary>Lists schemas by name.</summary>
    public Task<ResourcePage<Schema>> ListAsync(int? maxResults, string? nextToken, CancellationToken cancellationToken = default)
        => store.ListAsync(Scope, Paging.PageSize(maxResults), nextToken, cancellationToken);

    /// <summary>Deletes a schema unless a dataset uses it (<paramref name="isInUse"/> says which).</summary>
    public async Task DeleteAsync(string? identifier, Func<string, CancellationToken, Task<string?>> isInUse, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(isInUse);
        var stored = await DescribeAsync(identifier, cancellationToken);
        if (await isInUse(stored.Value.Arn, cancellationToken) is { } user)
        {
            throw new ResourceInUseException($"The schema '{stored.Value.Name}' is used by the dataset {user}.");
        }

        await store.DeleteAsync(Scope, stored.Value.Name, stored.ETag, cancellationToken);
    }

    private static DatasetType? InferType(string definition, out string? problem)
    {
        problem = null;
        var names = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            using var document = JsonDocument.Parse(definition);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("fields", out var fields)
                && fields.ValueKind == JsonValueKind.Array)
            {
                foreach (var field in fields.EnumerateArray())
                {
                    if (field.ValueKind == JsonValueKind.Object && field.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String)
                    {
                        names.Add(n.GetString()!);
                    }
                }
            }
        }
        catch (JsonException e)
        {
            problem = $"The schema is not valid JSON: {e.Message}";
            return null;
        }

        var user = names.Contains(ReservedFields.UserId);
        var item = names.Contains(ReservedFields.ItemId);
        if (user && item)
        {
            return DatasetType.Interactions;
        }

        if (item)
        {
            return DatasetType.Items;
        }

        if (user)
        {
            return DatasetType.Users;
        }

        problem = "The schema fits no dataset type: Interactions need USER_ID, ITEM_ID and TIMESTAMP; Items need ITEM_ID; Users need USER_ID.";
        return null;
    }
}
