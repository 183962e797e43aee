using DomainAdaptation.Data;
using DomainAdaptation.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Models;

public class AdaptationModelTests
{
    [Fact]
    public void Forward_TrainAndEval_LogitsOfTheSameShape()
    {
        random.manual_seed(1);
        using AdaptationModel model = ModelPresets.MnistModern(SampleShape.Image(3, 32, 32)).Build();
        using var scope = NewDisposeScope();
        Tensor x = randn(4, 3, 32, 32);

        model.train();
        Tensor training = model.forward(x);
        model.eval();
        Tensor evaluation = model.forward(x);

        training.shape.Should().Equal(4, 10);
        evaluation.shape.Should().Equal(4, 10);
        model.Features(x).shape.Should().Equal(4, 1200);
    }

    [Fact]
    public void Forward_EqualsClassifyFeaturesOfFeatures()
    {
        random.manual_seed(1);
        using AdaptationModel model = ModelPresets.Mnist(SampleShape.Image(3, 28, 28)).Build();
        using var scope = NewDisposeScope();
        Tensor x = randn(3, 3, 28, 28);

        model.forward(x).Equals(model.ClassifyFeatures(model.Features(x))).Should().BeTrue();
        model.Features(x).Equals(model.FeatureExtractor.call(x)).Should().BeTrue("without a bottleneck the features are the backbone's");
    }

    [Fact]
    public void Bottleneck_SitsBetweenBackboneAndHead()
    {
        random.manual_seed(2);
        using var model = new AdaptationModel(nn.Linear(4, 6), nn.Linear(3, 2), bottleneck: nn.Linear(6, 3));
        using var scope = NewDisposeScope();
        Tensor x = randn(5, 4);

        model.Features(x).shape.Should().Equal(5, 3);
        model.Features(x).Equals(model.Bottleneck!.call(model.FeatureExtractor.call(x))).Should().BeTrue();
        model.state_dict().Keys.Should().Contain("bottleneck.weight");
        model.Parts.Select(p => p.Prefix).Should().Equal("feature_extractor", "bottleneck", "label_classifier");
    }

    [Fact]
    public void StateDict_Keys_StartWithThePartNames_AndHoldNoDomainClassifier()
    {
        random.manual_seed(1);
        using AdaptationModel model = ModelPresets.MnistModern(SampleShape.Image(3, 28, 28)).Build();

        var keys = model.state_dict().Keys.ToList();
        keys.Should().OnlyContain(k => k.StartsWith("feature_extractor.", StringComparison.Ordinal)
                                       || k.StartsWith("label_classifier.", StringComparison.Ordinal));
        keys.Should().Contain(k => k.StartsWith("feature_extractor.", StringComparison.Ordinal));
        keys.Should().Contain(k => k.StartsWith("label_classifier.", StringComparison.Ordinal));
        model.Parts.Select(p => p.Prefix).Should().Equal("feature_extractor", "label_classifier");
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Constructor_BadLearningRateMultiplier_ThrowsNamingThePart(double multiplier)
    {
        Action act = () => _ = new AdaptationModel(nn.Linear(2, 2), nn.Linear(2, 2), learningRates: new PartLearningRates(FeatureExtractor: multiplier));

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*multiplier of the FeatureExtractor must be a finite number ≥ 0*");
    }

    [Fact]
    public void PretrainedBackbone_TenthOfTheRateForTheBackboneOnly()
    {
        PartLearningRates rates = PartLearningRates.PretrainedBackbone();

        rates.Should().Be(new PartLearningRates(0.1, 1.0, 1.0));
    }
}
