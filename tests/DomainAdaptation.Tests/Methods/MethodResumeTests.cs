using DomainAdaptation.Methods;
using DomainAdaptation.Models;
using DomainAdaptation.Tests.TestSupport;
using DomainAdaptation.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Methods;

/// <summary>
/// Kill and resume for methods with state of their own (a teacher, a second classifier, an adversarial head, random
/// projections; FixMatch's state is its per-step augmented views): 20 steps straight against 10 steps, cancel, a new model and method with other initial
/// weights, resume, 10 steps — the model and every method module must end bitwise equal.
/// </summary>
[Collection(TorchSerial.Name)]
public class MethodResumeTests
{
    private static AdaptationModel Network(long seed)
    {
        random.manual_seed(seed);
        return new AdaptationModel(nn.Sequential(nn.Linear(3, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.2)), nn.Linear(8, 3));
    }

    private static (AdaptationModel Model, AdaptationMethod Method) Build(string specification, long seed)
    {
        AdaptationModel model = Network(seed);
        return (model, MethodCatalog.Create(specification, new MethodRequest { CreateModel = () => Network(seed + 100) }));
    }

    private static Dictionary<string, Tensor> State(AdaptationModel model, AdaptationMethod method)
    {
        Dictionary<string, Tensor> all = TestModels.Snapshot(model);
        foreach (MethodModule m in method.Modules)
        {
            foreach ((string key, Tensor value) in TestModels.Snapshot(m.Module)) all[$"method.{m.Name}.{key}"] = value;
        }

        return all;
    }

    [Theory]
    [InlineData("mean-teacher")]
    [InlineData("mcd")]
    [InlineData("mdd")]
    [InlineData("cdan-e")]
    [InlineData("fixmatch")]
    [InlineData("dann+mcc")]
    public void Resume_AfterCancellation_ModelAndMethodModulesBitwiseEqualToAStraightRun(string specification)
    {
        using var data = SyntheticData.Blobs(48, 40, features: 3, classes: 3, seed: 2, dtype: ScalarType.Float32);
        using var folderA = new TempDirectory();
        using var folderB = new TempDirectory();
        AdaptationTrainerOptions Options(string folder) => new() { Steps = 20, BatchSizePerDomain = 8, Seed = 5, Optimizer = { Kind = OptimizerKind.Adam, LearningRate = 0.01 }, Checkpoints = { Directory = folder } };

        (AdaptationModel straightModel, AdaptationMethod straightMethod) = Build(specification, 21);
        using (var trainer = new AdaptationTrainer(straightModel, data, straightMethod, Options(folderA.Path)))
        {
            trainer.Train();
        }

        using var cancel = new CancellationTokenSource();
        (AdaptationModel firstModel, AdaptationMethod firstMethod) = Build(specification, 21);
        using (var trainer = new AdaptationTrainer(firstModel, data, firstMethod, Options(folderB.Path)))
        {
            var act = () => trainer.Train(new SyncProgress<StepMetrics>(m => { if (m.Step == 10) cancel.Cancel(); }), cancellationToken: cancel.Token);
            act.Should().Throw<TrainingCancelledException>().Which.Checkpoint!.Step.Should().Be(10);
        }

        (AdaptationModel resumedModel, AdaptationMethod resumedMethod) = Build(specification, 999);
        using (var trainer = new AdaptationTrainer(resumedModel, data, resumedMethod, Options(folderB.Path)))
        {
            trainer.Resume(folderB.Path).Step.Should().Be(10);
            trainer.Train().StepsThisRun.Should().Be(10);
        }

        Dictionary<string, Tensor> straight = State(straightModel, straightMethod);
        if (specification != "fixmatch")
        {
            straight.Keys.Should().Contain(k => k.StartsWith("method.", StringComparison.Ordinal), "the method has modules of its own");
        }

        TestModels.BitwiseEqual(straight, State(resumedModel, resumedMethod), out string difference)
            .Should().BeTrue($"'{difference}' differs between the straight and the resumed run");
        straightMethod.Dispose();
        resumedMethod.Dispose();
    }
}
