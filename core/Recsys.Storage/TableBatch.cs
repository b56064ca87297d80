using Azure;
using Azure.Data.Tables;

namespace Recsys.Storage;

/// <summary>
/// An entity group transaction that enforces Azure's rules before sending it: one partition, at most 100
/// operations, each entity once. Azurite accepts batches Azure rejects, so the rules live here.
/// </summary>
public sealed class TableBatch
{
    /// <summary>Most operations Azure accepts in one transaction.</summary>
    public const int MaxOperations = 100;

    private readonly List<TableTransactionAction> _actions = [];
    private readonly HashSet<string> _rowKeys = new(StringComparer.Ordinal);

    /// <summary>The partition every operation must be in, once the first one is added.</summary>
    public string? PartitionKey { get; private set; }

    /// <summary>Operations so far.</summary>
    public int Count => _actions.Count;

    /// <summary>The operations so far.</summary>
    public IReadOnlyList<TableTransactionAction> Actions => _actions;

    /// <summary>Whether the batch has room for another operation.</summary>
    public bool IsFull => _actions.Count >= MaxOperations;

    /// <summary>
    /// Adds an operation, or throws <see cref="InvalidOperationException"/> when it breaks a rule. An
    /// <paramref name="ifMatch"/> ETag makes an update or delete conditional, and the whole batch fails with 412 when
    /// the entity changed.
    /// </summary>
    public void Add(TableTransactionActionType type, ITableEntity entity, ETag ifMatch = default)
    {
        ArgumentNullException.ThrowIfNull(entity);
        PartitionKey ??= entity.PartitionKey;
        if (!string.Equals(PartitionKey, entity.PartitionKey, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"A table batch spans one partition; '{entity.PartitionKey}' differs from '{PartitionKey}'.");
        }

        if (IsFull)
        {
            throw new InvalidOperationException($"A table batch holds at most {MaxOperations} operations.");
        }

        if (!_rowKeys.Add(entity.RowKey))
        {
            throw new InvalidOperationException($"A table batch may touch the entity '{entity.RowKey}' only once.");
        }

        _actions.Add(ifMatch == default ? new TableTransactionAction(type, entity) : new TableTransactionAction(type, entity, ifMatch));
    }

    /// <summary>Sends the batch (all or nothing) and clears it.</summary>
    public async Task SubmitAsync(TableClient table, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (_actions.Count == 0)
        {
            return;
        }

        await table.SubmitTransactionAsync(_actions, cancellationToken);
        _actions.Clear();
        _rowKeys.Clear();
        PartitionKey = null;
    }
}
