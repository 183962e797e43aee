using System.Text.RegularExpressions;
using DomainAdaptation.Runtime;
using DomainAdaptation.Training;
using DomainAdaptation.Training.Checkpoints;
using Microsoft.Extensions.Options;

namespace MnistToMnistM;

/// <summary>
/// The sample's exit codes, one per class of error, and the one-line message each error prints. The messages are the
/// library's own (its typed exceptions name the file, the field, what was found and what was expected), so the same
/// input gives the same message through the command line and through the API.
/// </summary>
internal static partial class ExitCodes
{
    /// <summary>An error of no known class (a bug): the message and, with --verbose, the stack trace.</summary>
    public const int Unexpected = 1;

    /// <summary>A flag or its value is wrong (parse errors, the options' validators).</summary>
    public const int Usage = 2;

    /// <summary>A data file or folder is missing, unreadable, corrupt or not what it should be.</summary>
    public const int Data = 3;

    /// <summary>A checkpoint is missing, damaged, or of another run.</summary>
    public const int Checkpoint = 4;

    /// <summary>Training diverged (a NaN or ∞ loss or parameter); the last checkpoint stays usable.</summary>
    public const int Diverged = 5;

    /// <summary>TorchSharp's native library could not be loaded or run.</summary>
    public const int Runtime = 6;

    /// <summary>The exit code for an error.</summary>
    public static int Of(Exception ex) => ex switch
    {
        CheckpointException => Checkpoint,
        TrainingDivergedException => Diverged,
        TorchSharpLoadException => Runtime,
        OptionsValidationException or ArgumentException => Usage,
        IOException or InvalidDataException or UnauthorizedAccessException => Data,   // FileNotFound, DirectoryNotFound, the library's data exceptions
        _ => Unexpected,
    };

    /// <summary>The error's message on one line (or a short block): an options failure names the flag, not the property.</summary>
    public static string Message(Exception ex) => ex switch
    {
        OptionsValidationException o => FlagNames(string.Join(" ", o.Failures)),
        ArgumentException a when a.ParamName is not null => a.Message.Replace($" (Parameter '{a.ParamName}')", "", StringComparison.Ordinal),
        _ => ex.Message,
    };

    /// <summary>Replaces the trainer options' property paths in a validator's message by the sample's flags.</summary>
    public static string FlagNames(string message)
    {
        foreach ((string property, string flag) in Flags)
        {
            message = Regex.Replace(message, $@"(?<![\w.]){Regex.Escape(property)}(?![\w.])", flag);
        }

        return message;
    }

    private static readonly (string Property, string Flag)[] Flags =
    [
        ("Checkpoints.Interval", "--checkpoint-interval"),
        ("Evaluation.Interval", "--eval-interval"),
        ("Optimizer.LearningRate", "--learning-rate"),
        ("BatchSizePerDomain", "--batch"),
        ("WeightAverageDecay", "--average-decay"),
        ("Steps", "--steps"),
        ("Seed", "--seed"),
    ];
}

/// <summary>What a failed <c>train</c> leaves behind.</summary>
internal static class RunFolders
{
    /// <summary>The note a failed run with checkpoints keeps beside them.</summary>
    public const string FailureNote = "FAILED.md";

    /// <summary>
    /// After a failure: a run folder with no checkpoint holds nothing worth keeping and is deleted; one with checkpoints
    /// (e.g. a divergence at step 5,000) keeps them and gets <see cref="FailureNote"/> with the error and how to continue.
    /// </summary>
    public static void CleanUpAfterFailure(string folder, Exception error)
    {
        try
        {
            if (!Directory.Exists(folder)) return;
            string checkpoints = Path.Combine(folder, TrainRunner.CheckpointFolder);
            bool kept = Directory.Exists(checkpoints) && Directory.EnumerateFiles(checkpoints, "checkpoint-*.dann").Any();
            if (!kept)
            {
                Directory.Delete(folder, recursive: true);
                return;
            }

            AtomicFile.WriteAllText(Path.Combine(folder, FailureNote),
                $"# This run failed\n\n{ExitCodes.Message(error)}\n\nIts checkpoints are kept: `train --resume {folder}` continues from the last intact one; `evaluate --run {folder}` evaluates it.\n");
        }
        catch (IOException)
        {
            // Cleaning up must not hide the error that made the run fail.
        }
    }
}
