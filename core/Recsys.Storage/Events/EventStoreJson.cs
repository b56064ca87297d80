using System.Text.Json;
using System.Text.Json.Serialization;
using Recsys.Core.Events;

namespace Recsys.Storage.Events;

/// <summary>Source-generated JSON of the history entries and impressions kept in the events table.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(List<HistoryEvent>))]
[JsonSerializable(typeof(string[]))]
internal sealed partial class EventStoreJson : JsonSerializerContext;
