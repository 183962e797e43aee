using DomainAdaptation.Evaluation;

namespace DomainAdaptation.Tests.Evaluation;

public class ConfusionMatrixTests
{
    [Fact]
    public void From_Labels_CountsRowsByTruthColumnsByPrediction()
    {
        long[] truth = [0, 0, 0, 1, 1, 2, 2, 2, 2];
        long[] predicted = [0, 1, 0, 1, 1, 2, 0, 2, 1];

        var m = ConfusionMatrix.From(truth, predicted, 3);

        m.ToArray().Should().BeEquivalentTo(new long[,] { { 2, 1, 0 }, { 0, 2, 0 }, { 1, 1, 2 } });
        m[2, 0].Should().Be(1);
        m.Total.Should().Be(9);
        m.Correct.Should().Be(6);
        m.Accuracy.Should().Be(6.0 / 9.0);
        m.PerClassAccuracy.Should().Equal(2.0 / 3.0, 1.0, 0.5);
    }

    [Fact]
    public void PerClassAccuracy_ClassWithoutSamples_IsNaN()
    {
        var m = ConfusionMatrix.From([0, 0], [0, 1], 2);

        m.PerClassAccuracy[0].Should().Be(0.5);
        double.IsNaN(m.PerClassAccuracy[1]).Should().BeTrue();
    }

    [Fact]
    public void From_LabelOutsideClasses_ThrowsNamingTheSample()
    {
        FluentActions.Invoking(() => ConfusionMatrix.From([0, 3], [0, 1], 3)).Should().Throw<ArgumentException>().WithMessage("Sample 1 has true class 3 and prediction 1; both must lie in [0, 3)*");
        FluentActions.Invoking(() => ConfusionMatrix.From([0, 1], [0], 3)).Should().Throw<ArgumentException>().WithMessage("2 true labels but 1 predictions*");
    }

    [Fact]
    public void Ctor_NotSquareOrNegative_Throws()
    {
        FluentActions.Invoking(() => new ConfusionMatrix(new long[2, 3])).Should().Throw<ArgumentException>().WithMessage("*square*2×3*");
        FluentActions.Invoking(() => new ConfusionMatrix(new long[,] { { 1, -1 }, { 0, 0 } })).Should().Throw<ArgumentException>().WithMessage("*negative*");
    }
}
