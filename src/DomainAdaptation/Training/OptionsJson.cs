using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using DomainAdaptation.Schedules;

namespace DomainAdaptation.Training;

/// <summary>
/// <see cref="DannTrainerOptions"/> as JSON for checkpoints, and the check that a resumed run uses the options that
/// determine the training trajectory. Schedules are written by description (their <c>ToString()</c>).
/// </summary>
internal static class OptionsJson
{
    /// <summary>Options that may change between a run and its resumption: they do not change the trajectory.</summary>
    private static readonly HashSet<string> Free =
    [
        nameof(DannTrainerOptions.Steps), // compared through the total step count instead
        nameof(DannTrainerOptions.Epochs),
        nameof(DannTrainerOptions.Device),
        nameof(DannTrainerOptions.EvaluationInterval),
        nameof(DannTrainerOptions.EvaluationBatchSize),
        nameof(DannTrainerOptions.EvaluationMaxSamples),
        nameof(DannTrainerOptions.CheckpointDirectory),
        nameof(DannTrainerOptions.CheckpointInterval),
        nameof(DannTrainerOptions.CheckpointsToKeep),
        nameof(DannTrainerOptions.CheckpointOnCancel),
        nameof(DannTrainerOptions.LogInterval),
        nameof(DannTrainerOptions.GarbageCollectionInterval),
        nameof(DannTrainerOptions.CollapseWindow),
    ];

    /// <summary>Options added after the first checkpoint format, with the value that reproduces the earlier behaviour.</summary>
    private static readonly (string Name, Func<JsonNode> Value)[] LaterOptions =
    [
        (nameof(DannTrainerOptions.WeightAverageDecay), () => JsonValue.Create(0.0)),
        (nameof(DannTrainerOptions.Precision), () => JsonValue.Create(nameof(TrainingPrecision.Full))),
    ];

    internal static readonly JsonSerializerOptions Serializer = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(), new DescriptionConverter<ILambdaSchedule>(), new DescriptionConverter<ILearningRateSchedule>() },
    };

    public static JsonObject ToJson(DannTrainerOptions options) =>
        JsonSerializer.SerializeToNode(options, Serializer)!.AsObject();

    /// <summary>
    /// A copy of saved options in which every option added later and absent from them takes the value that reproduces
    /// the behaviour of the library that wrote them (so older checkpoints resume).
    /// </summary>
    public static JsonObject WithLaterDefaults(JsonObject saved)
    {
        var copy = saved.DeepClone().AsObject();
        foreach ((string name, Func<JsonNode> value) in LaterOptions)
        {
            if (!copy.ContainsKey(name)) copy[name] = value();
        }

        return copy;
    }

    /// <summary>Lists the trajectory-relevant options that differ, as "Name: checkpoint X, now Y".</summary>
    public static IReadOnlyList<string> Differences(JsonObject saved, JsonObject current)
    {
        var differences = new List<string>();
        foreach (string key in saved.Select(p => p.Key).Union(current.Select(p => p.Key)).Where(k => !Free.Contains(k)).Order(StringComparer.Ordinal))
        {
            saved.TryGetPropertyValue(key, out JsonNode? a);
            current.TryGetPropertyValue(key, out JsonNode? b);
            if (!JsonNode.DeepEquals(a, b))
            {
                differences.Add(string.Create(CultureInfo.InvariantCulture, $"{key}: checkpoint {Show(a)}, now {Show(b)}"));
            }
        }

        return differences;
    }

    private static string Show(JsonNode? node) => node?.ToJsonString() ?? "(absent)";

    private sealed class DescriptionConverter<T> : JsonConverter<T>
        where T : class
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("Schedules are stored by description only and cannot be read back; configure them in code.");

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.ToString());
    }
}
