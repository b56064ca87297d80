using System.Diagnostics.Metrics;
using System.Text.Json;
using Recsys.Core.Events;
using Recsys.Core.Telemetry;

namespace Recsys.Core.Tests;

/// <summary>The use cases record Recsys's instruments with the expected values and tags.</summary>
public sealed class TelemetryTests
{
    [Fact]
    public async Task PutEvents_counts_stored_events_and_duplicates()
    {
        var metrics = new RecsysMetrics();
        using var recorded = new Recorder(metrics.Meter);
        var service = new EventService(
            new EventTrackerService(null!, new OneTracker(), null!, TimeProvider.System),
            new FakeEventStore(new EventAppendResult(Stored: 2, Duplicates: 1)),
            metrics);

        using var body = JsonDocument.Parse("""
            {"trackingId":"t1","userId":"u1","sessionId":"s1","eventList":[
              {"eventId":"a","eventType":"view","itemId":"i1","sentAt":1700000000},
              {"eventId":"b","eventType":"view","itemId":"i2","sentAt":1700000001},
              {"eventId":"c","eventType":"view","itemId":"i3","sentAt":1700000002}]}
            """);
        await service.PutEventsAsync(body.RootElement);

        Assert.Equal(
            [("recsys.events.ingested", 2.0, "outcome=stored"), ("recsys.events.ingested", 1.0, "outcome=duplicate")],
            recorded.Measurements);
    }

    [Fact]
    public void Imports_and_trainings_record_rows_durations_and_phases()
    {
        var metrics = new RecsysMetrics();
        using var recorded = new Recorder(metrics.Meter);

        metrics.ImportCompleted("Interactions", "ACTIVE", rowsImported: 1000, rowsRejected: 3, TimeSpan.FromSeconds(1.5));
        metrics.TrainingCompleted("sims", "ACTIVE", TimeSpan.FromSeconds(4), new Dictionary<string, double> { ["load"] = 1, ["final"] = 2 });

        Assert.Equal(
            [
                ("recsys.import.rows", 1000.0, "outcome=imported,dataset_type=Interactions"),
                ("recsys.import.rows", 3.0, "outcome=rejected,dataset_type=Interactions"),
                ("recsys.import.duration", 1.5, "dataset_type=Interactions,status=ACTIVE"),
                ("recsys.training.duration", 4.0, "recipe=sims,status=ACTIVE"),
                ("recsys.training.phase.duration", 1.0, "recipe=sims,phase=load"),
                ("recsys.training.phase.duration", 2.0, "recipe=sims,phase=final"),
            ],
            recorded.Measurements);
    }

    /// <summary>Records every measurement of one meter instance (other tests' meters of the same name are ignored).</summary>
    private sealed class Recorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly List<(string, double, string)> _measurements = [];

        public Recorder(Meter meter)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, meter))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((i, value, tags, _) => Add(i, value, tags));
            _listener.SetMeasurementEventCallback<double>((i, value, tags, _) => Add(i, value, tags));
            _listener.Start();
        }

        public IReadOnlyList<(string Instrument, double Value, string Tags)> Measurements
        {
            get
            {
                lock (_measurements)
                {
                    return [.. _measurements];
                }
            }
        }

        public void Dispose() => _listener.Dispose();

        private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var text = string.Join(",", tags.ToArray().Select(t => $"{t.Key}={t.Value}"));
            lock (_measurements)
            {
                _measurements.Add((instrument.Name, value, text));
            }
        }
    }

    private sealed class OneTracker : IEventTrackerIndex
    {
        public Task<TrackingIdEntry?> FindByTrackingIdAsync(string trackingId, CancellationToken cancellationToken = default)
            => Task.FromResult<TrackingIdEntry?>(new TrackingIdEntry(trackingId, "shop", "tracker"));

        public Task<string?> ClaimDatasetGroupAsync(string datasetGroup, string trackerName, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<string?> FindByDatasetGroupAsync(string datasetGroup, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task ReleaseDatasetGroupAsync(string datasetGroup, string trackerName, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task AddTrackingIdAsync(TrackingIdEntry entry, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task RemoveTrackingIdAsync(string trackingId, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }

    private sealed class FakeEventStore(EventAppendResult result) : IEventStore
    {
        public Task<EventAppendResult> AppendAsync(string datasetGroup, string userOrSessionId, IReadOnlyList<InteractionEvent> events, CancellationToken cancellationToken = default)
            => Task.FromResult(result);

        public Task<EventHistory> GetHistoryAsync(string datasetGroup, string userOrSessionId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public IAsyncEnumerable<InteractionEvent> ReadAllAsync(
            string datasetGroup, DateTimeOffset? receivedAfter = null, DateTimeOffset? receivedThrough = null, CancellationToken cancellationToken = default)
            => throw new NotSupportedException();

        public Task<long> DeleteEventsAsync(string datasetGroup, DateTimeOffset receivedThrough, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<long> DeleteUserAsync(string datasetGroup, string userId, DateTimeOffset deletedAt, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
