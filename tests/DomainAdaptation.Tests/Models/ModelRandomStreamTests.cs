using DomainAdaptation.Data;
using DomainAdaptation.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Models;

/// <summary>Model tests that compare draws from torch's global generator, so they run alone.</summary>
[Collection(GlobalRandomStreamCollection.Name)]
public class ModelRandomStreamTests
{
    [Fact]
    public void Preset_SameSeed_SameWeightsAndCallerRandomStreamUntouched()
    {
        random.manual_seed(123);
        float expectedNext = rand(1).item<float>();

        random.manual_seed(123);
        using AdaptationModel first = ModelPresets.Mnist(SampleShape.Image(3, 28, 28), seed: 7).Build();
        float next = rand(1).item<float>();
        using AdaptationModel second = ModelPresets.Mnist(SampleShape.Image(3, 28, 28), seed: 7).Build();
        using AdaptationModel other = ModelPresets.Mnist(SampleShape.Image(3, 28, 28), seed: 8).Build();

        next.Should().Be(expectedNext, "a seeded preset restores torch's global generator");
        Dictionary<string, Tensor> a = first.state_dict(), b = second.state_dict(), c = other.state_dict();
        foreach (string key in a.Keys)
        {
            a[key].Equals(b[key]).Should().BeTrue(key);
        }

        a["feature_extractor.conv1.weight"].Equals(c["feature_extractor.conv1.weight"]).Should().BeFalse();
    }

    [Fact]
    public void Build_Check_DoesNotMoveBatchNormStatisticsOrDrawRandomNumbers()
    {
        random.manual_seed(5);
        AdaptationModelBuilder builder = ModelPresets.MnistModern(SampleShape.Image(3, 28, 28));
        random.manual_seed(99);
        float expectedNext = rand(1).item<float>();
        random.manual_seed(99);

        using AdaptationModel model = builder.Build();

        rand(1).item<float>().Should().Be(expectedNext);
        model.state_dict()["feature_extractor.bn1.running_mean"].abs().sum().item<float>().Should().Be(0f);
        model.state_dict()["feature_extractor.bn1.num_batches_tracked"].item<long>().Should().Be(0);
    }
}
