using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using DomainAdaptation.Schedules;

namespace DomainAdaptation.Training.Checkpoints;

/// <summary>
/// <see cref="AdaptationTrainerOptions"/> and a method's settings as JSON for checkpoints, and the check that a resumed
/// run uses the options and the method that determine the training trajectory. Schedules are written by description
/// (their <c>ToString()</c>).
/// </summary>
internal static class OptionsJson
{
    /// <summary>Options (and whole groups) that may change between a run and its resumption: they do not change the trajectory.</summary>
    private static readonly HashSet<string> Free =
    [
        nameof(AdaptationTrainerOptions.Steps), // compared through the total step count instead
        nameof(AdaptationTrainerOptions.Epochs),
        nameof(AdaptationTrainerOptions.Device),
        nameof(AdaptationTrainerOptions.Evaluation),
        nameof(AdaptationTrainerOptions.Checkpoints),
        nameof(AdaptationTrainerOptions.Monitoring),
    ];

    internal static readonly JsonSerializerOptions Serializer = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(), new DescriptionConverter<ILambdaSchedule>(), new DescriptionConverter<ILearningRateSchedule>() },
    };

    public static JsonObject ToJson(AdaptationTrainerOptions options) =>
        JsonSerializer.SerializeToNode(options, Serializer)!.AsObject();

    /// <summary>Lists the trajectory-relevant options that differ, as "Path: checkpoint X, now Y" (paths like "Optimizer.LearningRate").</summary>
    public static IReadOnlyList<string> Differences(JsonObject saved, JsonObject current)
    {
        var differences = new List<string>();
        foreach (string key in saved.Select(p => p.Key).Union(current.Select(p => p.Key)).Where(k => !Free.Contains(k)).Order(StringComparer.Ordinal))
        {
            saved.TryGetPropertyValue(key, out JsonNode? a);
            current.TryGetPropertyValue(key, out JsonNode? b);
            Compare(key, a, b, differences);
        }

        return differences;
    }

    /// <summary>Lists the method settings that differ (paths like "DomainLossWeight" or "dann.LambdaSchedule").</summary>
    public static IReadOnlyList<string> SettingDifferences(JsonObject saved, JsonObject current)
    {
        var differences = new List<string>();
        foreach (string key in saved.Select(p => p.Key).Union(current.Select(p => p.Key)).Order(StringComparer.Ordinal))
        {
            saved.TryGetPropertyValue(key, out JsonNode? a);
            current.TryGetPropertyValue(key, out JsonNode? b);
            Compare(key, a, b, differences);
        }

        return differences;
    }

    private static void Compare(string path, JsonNode? a, JsonNode? b, List<string> differences)
    {
        if (a is JsonObject oa && b is JsonObject ob)
        {
            foreach (string key in oa.Select(p => p.Key).Union(ob.Select(p => p.Key)).Order(StringComparer.Ordinal))
            {
                oa.TryGetPropertyValue(key, out JsonNode? x);
                ob.TryGetPropertyValue(key, out JsonNode? y);
                Compare(path + "." + key, x, y, differences);
            }

            return;
        }

        if (!JsonNode.DeepEquals(a, b))
        {
            differences.Add(string.Create(CultureInfo.InvariantCulture, $"{path}: checkpoint {Show(a)}, now {Show(b)}"));
        }
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
