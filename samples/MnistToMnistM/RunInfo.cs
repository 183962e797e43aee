using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using DomainAdaptation.Methods;
using DomainAdaptation.Models;
using DomainAdaptation.Training;
using TorchSharp;

namespace MnistToMnistM;

/// <summary>run.json: what was run (settings, trainer options, seed) and where (versions, machine).</summary>
internal static class RunInfo
{
    public const string FileName = "run.json";

    /// <summary>The sample's JSON settings (indented, enums by name), shared by run.json and the reverse-validation results.</summary>
    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public static void Write(string runFolder, ExperimentSettings settings, AdaptationTrainerOptions options, AdaptationMethod method, string dataDescription, int classes, long[] sampleShape, IReadOnlyList<string>? classNames)
    {
        var root = new JsonObject
        {
            ["settings"] = JsonSerializer.SerializeToNode(settings, Json),
            ["method"] = new JsonObject { ["name"] = method.Name, ["description"] = method.Describe(), ["settings"] = method.Settings },
            ["data"] = dataDescription,
            ["classes"] = classes,
            // Class index i is classNames[i] (image folders: the class folders in ordinal name order).
            ["classNames"] = classNames is null ? null : new JsonArray(classNames.Select(n => (JsonNode)n).ToArray()),
            ["sampleShape"] = new JsonArray(sampleShape.Select(d => (JsonNode)d).ToArray()),
            ["trainerOptions"] = options.ToJson(),
            ["versions"] = new JsonObject
            {
                ["DomainAdaptation"] = Informational(typeof(AdaptationModel).Assembly),
                ["TorchSharp"] = Informational(typeof(torch).Assembly),
                ["libtorch"] = torch.__version__,
                [".NET"] = RuntimeInformation.FrameworkDescription,
            },
            ["machine"] = new JsonObject
            {
                ["os"] = RuntimeInformation.OSDescription,
                ["architecture"] = RuntimeInformation.ProcessArchitecture.ToString(),
                ["cpu"] = CpuName(),
                ["logicalCores"] = Environment.ProcessorCount,
                ["torchThreads"] = torch.get_num_threads(),
            },
            ["startedUtc"] = DateTimeOffset.UtcNow.ToString("O"),
        };
        AtomicFile.WriteAllText(Path.Combine(runFolder, FileName), root.ToJsonString(Json));
    }

    /// <summary>Reads a run folder's run.json.</summary>
    /// <exception cref="FileNotFoundException">When the folder has no run.json.</exception>
    /// <exception cref="InvalidDataException">When run.json is not a run record this sample wrote: not JSON, a field missing or of the wrong kind, a size out of range (the message names the file and the field).</exception>
    public static (ExperimentSettings Settings, int Classes, long[] SampleShape) Read(string runFolder)
    {
        string path = Path.Combine(runFolder, FileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"'{runFolder}' is not a run folder of this sample: it has no {FileName}.", path);
        return Parse(path, root =>
        {
            if (root["settings"] is JsonObject recorded && recorded["Method"] is JsonValue m && m.TryGetValue(out string? old) && old is "SourceOnly" or "Dann" or "TargetOnly")
            {
                // Run folders of the DANN-only sample named the method by an enum.
                recorded["Method"] = old switch { "SourceOnly" => "source-only", "TargetOnly" => "target-only", _ => "dann" };
            }

            ExperimentSettings settings = (root["settings"] as JsonObject ?? throw Bad(path, "settings", "an object")).Deserialize<ExperimentSettings>(Json)
                ?? throw Bad(path, "settings", "an object");
            if (string.IsNullOrWhiteSpace(settings.Method)) throw Bad(path, "settings.Method", "a method name");
            if (settings.Resize is { } resize && !(resize.Split('x') is [var h, var w] && int.TryParse(h, NumberStyles.None, CultureInfo.InvariantCulture, out int hh) && hh > 0 &&
                int.TryParse(w, NumberStyles.None, CultureInfo.InvariantCulture, out int ww) && ww > 0))
            {
                throw Bad(path, "settings.Resize", $"HEIGHTxWIDTH in pixels (found '{resize}')");
            }

            int classes = (root["classes"] as JsonValue ?? throw Bad(path, "classes", "a whole number")).GetValue<int>();
            if (classes < 2) throw Bad(path, "classes", $"at least 2 (found {classes})");
            long[] shape = (root["sampleShape"] as JsonArray ?? throw Bad(path, "sampleShape", "an array of sizes"))
                .Select(n => n is JsonValue v && v.TryGetValue(out long d) && d > 0 ? d : throw Bad(path, "sampleShape", "positive whole sizes")).ToArray();
            if (shape.Length is 0 or > 8) throw Bad(path, "sampleShape", $"1 to 8 sizes (found {shape.Length})");
            return (settings, classes, shape);
        });
    }

    /// <summary>The run's class names (index order), or null for runs written before they were recorded.</summary>
    /// <exception cref="InvalidDataException">When run.json is damaged or classNames is not an array of names.</exception>
    public static IReadOnlyList<string>? ReadClassNames(string runFolder)
    {
        string path = Path.Combine(runFolder, FileName);
        if (!File.Exists(path)) return null;
        return Parse<IReadOnlyList<string>?>(path, root => root["classNames"] switch
        {
            null => null,
            JsonArray names => names.Select(n => n is JsonValue v && v.TryGetValue(out string? name) && !string.IsNullOrEmpty(name) ? name : throw Bad(path, "classNames", "an array of non-empty names")).ToArray(),
            _ => throw Bad(path, "classNames", "an array of names"),
        });
    }

    private static T Parse<T>(string path, Func<JsonObject, T> read)
    {
        try
        {
            JsonNode? node = JsonNode.Parse(File.ReadAllText(path));
            return read(node as JsonObject ?? throw new InvalidDataException($"'{path}' is not a run record: expected a JSON object, found {(node is null ? "null" : node.GetValueKind().ToString())}."));
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or NotSupportedException or ArgumentException)
        {
            // A field of the wrong JSON kind, an unknown enum name, a number out of range, text that is not JSON.
            throw new InvalidDataException($"'{path}' is not a valid run record: {ex.Message}", ex);
        }
    }

    private static InvalidDataException Bad(string path, string field, string expected) =>
        new($"'{path}': the field '{field}' is missing or invalid; expected {expected}.");

    private static string Informational(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? assembly.GetName().Version?.ToString() ?? "?";

    private static string CpuName()
    {
        try
        {
            string? line = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal)) : null;
            return line is null ? "unknown" : line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}

/// <summary>Writes text files atomically (temporary file, then rename), so a crash never leaves half a report.</summary>
internal static class AtomicFile
{
    public static void WriteAllText(string path, string text)
    {
        string temp = path + ".tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }
}
