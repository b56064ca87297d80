using Recsys.Data.Records;

namespace Recsys.Data.Import;

/// <summary>Receives the accepted rows of an import, one batch at a time (e.g. <see cref="Segments.ParquetSegmentWriter"/>).</summary>
public interface IRecordBatchSink
{
    /// <summary>
    /// Consumes <paramref name="batch"/>. The batch is reused after the returned task completes, so copy anything
    /// that must outlive the call.
    /// </summary>
    ValueTask WriteAsync(RecordBatch batch, CancellationToken cancellationToken = default);
}
