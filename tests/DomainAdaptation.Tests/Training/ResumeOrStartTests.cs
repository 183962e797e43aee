using DomainAdaptation.Tests.TestSupport;
using DomainAdaptation.Training;

namespace DomainAdaptation.Tests.Training;

/// <summary>ResumeOrStart and Checkpoint.Scan: what a checkpoint folder holds, and never a silent restart over damaged checkpoints.</summary>
[Collection(TorchSerial.Name)]
public class ResumeOrStartTests
{
    private static AdaptationTrainerOptions Options(string folder, int steps = 4) => new() { Steps = steps, BatchSizePerDomain = 4, Checkpoints = { Directory = folder, Interval = 2 } };

    private static void Damage(string file)
    {
        byte[] bytes = File.ReadAllBytes(file);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(file, bytes);
    }

    [Fact]
    public void ResumeOrStart_EmptyOrMissingFolder_StartsAtStepZero()
    {
        using var data = SyntheticData.Blobs(20, 20, features: 2, classes: 2, seed: 1);
        using var folder = new TempDirectory();
        using var trainer = TestTrainer.Create(TestModels.Mlp(2, 3, 2, seed: 1), data, Options(folder.Path));

        ResumeDecision missing = trainer.ResumeOrStart(Path.Combine(folder.Path, "not-yet"));
        ResumeDecision empty = trainer.ResumeOrStart(folder.Path);

        missing.Outcome.Should().Be(ResumeOutcome.Started);
        empty.Should().BeEquivalentTo(new ResumeDecision(ResumeOutcome.Started, null, []));
        trainer.CompletedSteps.Should().Be(0);
    }

    [Fact]
    public void ResumeOrStart_NewestDamaged_ResumesFromTheOlderOneAndWarnsNamingTheSkippedFile()
    {
        using var data = SyntheticData.Blobs(20, 20, features: 2, classes: 2, seed: 1);
        using var folder = new TempDirectory();
        using (var trainer = TestTrainer.Create(TestModels.Mlp(2, 3, 2, seed: 1), data, Options(folder.Path)))
        {
            trainer.Train();
        }

        string newest = Path.Combine(folder.Path, "checkpoint-0000000004.dann");
        Damage(newest);
        using var logs = new ListLoggerProvider();
        using var resumed = TestTrainer.Create(TestModels.Mlp(2, 3, 2, seed: 1), data, Options(folder.Path), logs.CreateLogger("trainer"));

        ResumeDecision decision = resumed.ResumeOrStart(folder.Path);

        decision.Outcome.Should().Be(ResumeOutcome.Resumed);
        decision.Checkpoint!.Step.Should().Be(2);
        decision.Skipped.Should().ContainSingle().Which.Should().Match<DamagedCheckpoint>(d => d.Path == newest && d.Step == 4 && d.Reason.Contains("SHA-256"));
        logs.Messages.Should().Contain(m => m.Contains("Skipped the damaged checkpoint") && m.Contains(newest) && m.Contains("SHA-256"));
    }

    [Fact]
    public void ResumeOrStart_EveryCheckpointDamaged_ThrowsInsteadOfOverwritingThem()
    {
        using var data = SyntheticData.Blobs(20, 20, features: 2, classes: 2, seed: 1);
        using var folder = new TempDirectory();
        using (var trainer = TestTrainer.Create(TestModels.Mlp(2, 3, 2, seed: 1), data, Options(folder.Path)))
        {
            trainer.Train();
        }

        foreach (string file in Directory.GetFiles(folder.Path, "*.dann")) Damage(file);
        using var again = TestTrainer.Create(TestModels.Mlp(2, 3, 2, seed: 1), data, Options(folder.Path));

        Action act = () => again.ResumeOrStart(folder.Path);

        act.Should().Throw<CheckpointException>().WithMessage("*holds 2 checkpoint file(s) and none is intact*checkpoint-0000000004.dann*overwrite*");
        Checkpoint.Scan(folder.Path).NoneIntact.Should().BeTrue();
        FluentActions.Invoking(() => again.Resume(folder.Path)).Should().Throw<CheckpointException>().WithMessage("*2 checkpoint file(s), but none is intact*");
    }

    [Fact]
    public void Resume_FolderWithoutCheckpointYet_SaysTheRunStoppedBeforeItsFirst()
    {
        using var data = SyntheticData.Blobs(20, 20, features: 2, classes: 2, seed: 1);
        using var folder = new TempDirectory();
        using var trainer = TestTrainer.Create(TestModels.Mlp(2, 3, 2, seed: 1), data, Options(folder.Path));

        FluentActions.Invoking(() => trainer.Resume(Path.Combine(folder.Path, "checkpoints"))).Should().Throw<CheckpointException>().WithMessage("*no checkpoint yet*");
        FluentActions.Invoking(() => trainer.Resume(folder.Path)).Should().Throw<CheckpointException>().WithMessage("*holds no checkpoint*before its first one*");
    }

    [Fact]
    public void Train_TimeInterval_CheckpointsBetweenStepIntervals()
    {
        using var data = SyntheticData.Blobs(20, 20, features: 2, classes: 2, seed: 1);
        using var folder = new TempDirectory();
        var options = new AdaptationTrainerOptions { Steps = 5, BatchSizePerDomain = 4, Checkpoints = { Directory = folder.Path, TimeInterval = TimeSpan.FromTicks(1), ToKeep = 10 } };
        using var trainer = TestTrainer.Create(TestModels.Mlp(2, 3, 2, seed: 1), data, options);

        trainer.Train();

        Directory.GetFiles(folder.Path).Select(Path.GetFileName).Order().Should().Equal(
            "checkpoint-0000000001.dann", "checkpoint-0000000002.dann", "checkpoint-0000000003.dann", "checkpoint-0000000004.dann", "checkpoint-0000000005.dann");
        new CheckpointOptionsValidator().Validate(null, new CheckpointOptions { TimeInterval = TimeSpan.Zero }).FailureMessage.Should().Contain("TimeInterval");
    }
}
