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

    public static (ExperimentSettings Settings, int Classes, long[] SampleShape) Read(string runFolder)
    {
        string path = Path.Combine(runFolder, FileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"'{runFolder}' is not a run folder of this sample: it has no {FileName}.", path);
        JsonNode root = JsonNode.Parse(File.ReadAllText(path)) ?? throw new InvalidDataException($"'{path}' is empty.");
        if (root["settings"] is JsonObject recorded && recorded["Method"] is JsonValue m && m.TryGetValue(out string? old) && old is "SourceOnly" or "Dann" or "TargetOnly")
        {
            // Run folders of the DANN-only sample named the method by an enum.
            recorded["Method"] = old switch { "SourceOnly" => "source-only", "TargetOnly" => "target-only", _ => "dann" };
        }

        ExperimentSettings settings = root["settings"].Deserialize<ExperimentSettings>(Json) ?? throw new InvalidDataException($"'{path}' has no settings.");
        int classes = root["classes"]!.GetValue<int>();
        long[] shape = root["sampleShape"]!.AsArray().Select(n => n!.GetValue<long>()).ToArray();
        return (settings, classes, shape);
    }

    /// <summary>The run's class names (index order), or null for runs written before they were recorded.</summary>
    public static IReadOnlyList<string>? ReadClassNames(string runFolder)
    {
        string path = Path.Combine(runFolder, FileName);
        JsonNode? root = File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path)) : null;
        return root?["classNames"] is JsonArray names ? names.Select(n => n!.GetValue<string>()).ToArray() : null;
    }

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
