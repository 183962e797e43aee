using DomainAdaptation.Methods;
using DomainAdaptation.Methods.SelfTraining;
using DomainAdaptation.Models;
using DomainAdaptation.Tests.TestSupport;
using TorchSharp;
using static DomainAdaptation.Tests.Methods.MethodTestSupport;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Methods.SelfTraining;

/// <summary>Mean teacher: the masked consistency loss and the EMA of the weights written out.</summary>
[Collection(TorchSerial.Name)]
public class MeanTeacherTests
{
    [Fact]
    public void Loss_EqualsTheMaskedSquaredDifferenceWrittenOut()
    {
        using var scope = NewDisposeScope();
        Tensor student = Fixed(4, 3, 1);
        Tensor teacher = tensor(new double[,] { { 8, 0, 0 }, { 0.3, 0, 0 }, { 0, 9, 0 }, { 0, 0, 0.1 } });

        (Tensor loss, Tensor rate) = MeanTeacher.Loss(student, teacher, 0.968);

        double[][] pt = Rows(teacher).Select(r => Softmax(r)).ToArray();
        Tensor Reference(Tensor z)
        {
            Tensor total = Scalar(0);
            for (int i = 0; i < 4; i++)
            {
                if (pt[i].Max() < 0.968) continue;
                Tensor e = z[i].exp();
                Tensor ps = e.div(e.sum());
                total = total + ps.sub(tensor(pt[i])).pow(2).sum().div(3);
            }

            return total.div(4);
        }

        rate.ToDouble().Should().Be(0.5);
        loss.ToDouble().Should().BeApproximately(Reference(student).ToDouble(), Tolerance);
        MaxDifference(Gradient(z => MeanTeacher.Loss(z, teacher).Loss, student), Gradient(Reference, student)).Should().BeLessThan(Tolerance);
        MeanTeacher.Loss(teacher, teacher, 0).Loss.ToDouble().Should().Be(0, "a student that agrees with its teacher costs nothing");
    }

    [Fact]
    public void Follow_AveragesParametersAndCopiesBatchNormBuffers()
    {
        random.manual_seed(3);
        var student = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3));
        var teacher = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3));
        student.to(ScalarType.Float64);
        teacher.to(ScalarType.Float64);
        using (no_grad()) student.forward(randn(5, 2, ScalarType.Float64)); // moves the student's running statistics
        Dictionary<string, Tensor> s = TestModels.Snapshot(student), t = TestModels.Snapshot(teacher);

        MeanTeacher.Follow(teacher, student, 0.9);

        Dictionary<string, Tensor> after = TestModels.Snapshot(teacher);
        foreach (string name in new[] { "0.weight", "0.bias", "1.weight", "1.bias" })
        {
            MaxDifference(after[name], t[name].mul(0.9) + s[name].mul(0.1)).Should().BeLessThan(1e-15, name);
        }

        foreach (string name in new[] { "1.running_mean", "1.running_var", "1.num_batches_tracked" })
        {
            after[name].Equals(s[name]).Should().BeTrue($"{name} is copied, not averaged");
        }
    }

    [Fact]
    public void Initialize_TeacherTakesTheStudentsWeightsAndIsTheInferenceModel()
    {
        var student = MethodHarness.LinearModel(3, 2, seed: 1);
        var teacher = MethodHarness.LinearModel(3, 2, seed: 2);
        var method = new MeanTeacher(teacher);

        MethodHarness.Initialize(method, student, 3, 2);

        TestModels.BitwiseEqual(TestModels.Snapshot(student), TestModels.Snapshot(teacher), out string d).Should().BeTrue(d);
        method.InferenceModel.Should().BeSameAs(teacher);
        method.Modules.Single().Should().Match<MethodModule>(m => m.Name == "teacher" && !m.Trainable);
    }

    [Fact]
    public void Train_BatchNormModel_TeacherFollowsAndIsEvaluated()
    {
        using var data = SyntheticData.Blobs(40, 40, features: 3, classes: 3, seed: 1, dtype: ScalarType.Float32);
        TestNet student = TestModels.Mlp(3, 6, 3, seed: 1, batchNorm: true, dropout: true);
        TestNet teacher = TestModels.Mlp(3, 6, 3, seed: 2, batchNorm: true, dropout: true);
        var method = new MeanTeacher(teacher.Model, confidenceThreshold: 0);
        using var trainer = new DomainAdaptation.Training.AdaptationTrainer(student, data, method, new DomainAdaptation.Training.AdaptationTrainerOptions { Steps = 6, BatchSizePerDomain = 8, Evaluation = { Interval = 3 } });

        var result = trainer.Train();

        trainer.InferenceModel.Should().BeSameAs(teacher.Model);
        result.FinalEvaluation.SourceAccuracy.Should().NotBeNull();
        TestModels.Snapshot(teacher.Model)["feature_extractor.bn.running_mean"].Equals(TestModels.Snapshot(student.Model)["feature_extractor.bn.running_mean"]).Should().BeTrue("the teacher's buffers are the student's");
        TestModels.BitwiseEqual(TestModels.Snapshot(teacher.Model), TestModels.Snapshot(student.Model), out _).Should().BeFalse("the teacher's weights lag behind the student's");
    }

    [Fact]
    public void Initialize_TeacherOfAnotherArchitecture_ThrowsListingTheEntries()
    {
        var student = MethodHarness.LinearModel(3, 2, seed: 1);
        var method = new MeanTeacher(MethodHarness.LinearModel(4, 2, seed: 2));

        FluentActions.Invoking(() => MethodHarness.Initialize(method, student, 3, 2)).Should().Throw<ModelCompositionException>()
            .WithMessage("The mean teacher's architecture differs from the model's*'label_classifier.weight' has another shape*");
    }
}
