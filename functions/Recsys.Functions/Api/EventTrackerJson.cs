using System.Text.Json;
using System.Text.Json.Serialization;
using Recsys.Core.Events;

namespace Recsys.Functions.Api;

/// <summary>Source-generated JSON for the event tracker records kept in Table Storage.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(EventTracker))]
internal sealed partial class EventTrackerJson : JsonSerializerContext;
