using DomainAdaptation.Data;
using DomainAdaptation.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Models;

public class AdaptationModelBuilderTests
{
    private static readonly SampleShape Mnist28 = SampleShape.Image(3, 28, 28);

    [Fact]
    public void Build_LabelHeadSizedForOtherInput_ThrowsNamingBothPartsAndSizes()
    {
        random.manual_seed(1);
        // 2352 = 3·28·28: a head sized for raw pixels, behind a feature extractor that gives 768 features.
        AdaptationModelBuilder builder = ModelPresets.Mnist(Mnist28).WithLabelClassifier(Heads.Mlp(2352, [100, 100], 10));

        ModelCompositionException error = builder.Invoking(b => b.Build())
            .Should().Throw<ModelCompositionException>()
            .WithMessage("The parts do not fit: feature extractor gives 768 features, label classifier expects 2352 (its first layer 'fc1' (Linear) takes 2352 inputs). Make the label classifier's input size 768, or change the part before it. TorchSharp reported: mat1 and mat2 shapes cannot be multiplied (2x768 and 2352x100)")
            .Which;
        error.Part.Should().Be(ModelPart.LabelClassifier);
        error.ProducedFeatures.Should().Be(768);
        error.ExpectedFeatures.Should().Be(2352);
        error.InnerException.Should().NotBeNull("TorchSharp's own error is kept");
    }

    [Fact]
    public void Build_DomainHeadSizedFor32Input_ThrowsNamingDomainClassifier()
    {
        random.manual_seed(1);
        AdaptationModelBuilder builder = ModelPresets.Mnist(Mnist28).WithDomainClassifier(Heads.Mlp(1200, [100], 1));

        builder.Invoking(b => b.Build()).Should().Throw<ModelCompositionException>()
            .WithMessage("The parts do not fit: feature extractor gives 768 features, domain classifier expects 1200*")
            .Which.Part.Should().Be(ModelPart.DomainClassifier);
    }

    [Fact]
    public void Build_HeadStartingWithBatchNormAndDropout_ReadsExpectedSizeFromFirstSizedLayer()
    {
        random.manual_seed(1);
        var head = nn.Sequential(("drop", nn.Dropout(0.5)), ("bn", nn.BatchNorm1d(500)), ("fc", nn.Linear(500, 10)));
        AdaptationModelBuilder builder = ModelPresets.Mnist(Mnist28).WithLabelClassifier(head);

        builder.Invoking(b => b.Build()).Should().Throw<ModelCompositionException>()
            .WithMessage("*feature extractor gives 768 features, label classifier expects 500 (its first layer 'bn' (BatchNorm1d) takes 500 inputs)*");
    }

    [Fact]
    public void Build_CustomHeadWithUnknownInputSize_StillNamesBothPartsAndTheFeatureCount()
    {
        random.manual_seed(1);
        AdaptationModelBuilder builder = ModelPresets.Mnist(Mnist28).WithLabelClassifier(new OpaqueHead(100, 10));

        builder.Invoking(b => b.Build()).Should().Throw<ModelCompositionException>()
            .WithMessage("The parts do not fit: feature extractor gives 768 features, label classifier rejects them. TorchSharp reported: *")
            .Which.ExpectedFeatures.Should().BeNull();
    }

    [Fact]
    public void Build_DeclaredFeatureCountWrong_ThrowsNamingBothCounts()
    {
        random.manual_seed(1);
        AdaptationModelBuilder preset = ModelPresets.Mnist(Mnist28);
        AdaptationModelBuilder builder = preset.WithFeatureExtractor(preset.FeatureExtractor!, features: 1200);

        builder.Invoking(b => b.Build()).Should().Throw<ModelCompositionException>()
            .WithMessage("The feature extractor was declared to give 1200 features but gives 768 for input 3×28×28.");
    }

    [Fact]
    public void Build_FeatureExtractorWithoutFlatten_ThrowsAskingForFlatten()
    {
        random.manual_seed(1);
        var convOnly = nn.Sequential(nn.Conv2d(3, 8, 5), nn.ReLU());
        AdaptationModelBuilder builder = new AdaptationModelBuilder()
            .WithInputShape(3, 28, 28)
            .WithFeatureExtractor(convOnly)
            .WithLabelClassifier(Heads.Linear(8, 10))
            .WithDomainClassifier(Heads.Linear(8, 1));

        builder.Invoking(b => b.Build()).Should().Throw<ModelCompositionException>()
            .WithMessage("The feature extractor gives output of shape [2, 8, 24, 24] for an input batch of shape [2, 3, 28, 28]; the heads need features of shape [batch, features] = [2, F]. End the feature extractor with a flatten layer (nn.Flatten()) or global pooling.")
            .Which.Part.Should().Be(ModelPart.FeatureExtractor);
    }

    [Fact]
    public void Build_InputShapeFeatureExtractorRejects_ThrowsNamingTheDummyBatch()
    {
        random.manual_seed(1);
        AdaptationModelBuilder builder = ModelPresets.Mnist(Mnist28).WithInputShape(1, 28, 28);

        builder.Invoking(b => b.Build()).Should().Throw<ModelCompositionException>()
            .WithMessage("The feature extractor cannot process a dummy batch of shape [2, 1, 28, 28] (batch 2 of the declared input shape 1×28×28, Float32 on cpu): Expected 3D (unbatched) or 4D (batched) input with 3 channels to Conv2d.")
            .Which.Part.Should().Be(ModelPart.FeatureExtractor);
    }

    [Fact]
    public void Build_DomainHeadWithThreeOutputs_Throws()
    {
        random.manual_seed(1);
        AdaptationModelBuilder builder = ModelPresets.Mnist(Mnist28).WithDomainClassifier(Heads.Mlp(768, [100], 3));

        builder.Invoking(b => b.Build()).Should().Throw<ModelCompositionException>()
            .WithMessage("The domain classifier gives 3 outputs per sample; it must give 1 (one logit, for binary cross-entropy with logits) or 2 (two domain classes, for cross-entropy).")
            .Which.Part.Should().Be(ModelPart.DomainClassifier);
    }

    [Fact]
    public void Build_LabelHeadWithOneOutput_Throws()
    {
        random.manual_seed(1);
        AdaptationModelBuilder builder = ModelPresets.Mnist(Mnist28).WithLabelClassifier(Heads.Linear(768, 1));

        builder.Invoking(b => b.Build()).Should().Throw<ModelCompositionException>()
            .WithMessage("The label classifier gives 1 output per sample; it must give one logit per class, at least 2*")
            .Which.Part.Should().Be(ModelPart.LabelClassifier);
    }

    [Fact]
    public void Build_HeadGivingThreeDimensionalOutput_Throws()
    {
        random.manual_seed(1);
        var head = nn.Sequential(nn.Linear(768, 10), nn.Unflatten(1, [10, 1]));
        AdaptationModelBuilder builder = ModelPresets.Mnist(Mnist28).WithLabelClassifier(head);

        builder.Invoking(b => b.Build()).Should().Throw<ModelCompositionException>()
            .WithMessage("The label classifier gives output of shape [2, 10, 1] for features of shape [2, 768]; it must give logits of shape [batch, outputs]*");
    }

    [Fact]
    public void Build_Empty_ThrowsListingEverythingMissing()
    {
        ModelCompositionException error = new AdaptationModelBuilder().Invoking(b => b.Build())
            .Should().Throw<ModelCompositionException>()
            .WithMessage("Cannot build the model: missing the input shape (WithInputShape), the feature extractor (WithFeatureExtractor), the label classifier (WithLabelClassifier).*")
            .Which;
        error.MissingParts.Should().Equal(ModelPart.FeatureExtractor, ModelPart.LabelClassifier);
        error.Part.Should().BeNull();
    }

    [Fact]
    public void Build_WithoutDomainClassifier_BuildsTheClassifier()
    {
        random.manual_seed(1);
        AdaptationModelBuilder builder = new AdaptationModelBuilder()
            .WithInputShape(SampleShape.Vector(2))
            .WithFeatureExtractor(nn.Linear(2, 4))
            .WithLabelClassifier(nn.Linear(4, 2));

        using AdaptationModel model = builder.Build();

        builder.DomainClassifier.Should().BeNull();
        builder.Shape.Should().Be(new ModelShape(SampleShape.Vector(2), 4, 4, 2));
    }

    [Fact]
    public void Build_WithBottleneck_HeadsSizedToTheBottleneck()
    {
        random.manual_seed(1);
        AdaptationModelBuilder builder = new AdaptationModelBuilder()
            .WithInputShape(SampleShape.Vector(5))
            .WithFeatureExtractor(nn.Linear(5, 12), features: 12, learningRateMultiplier: 0.1)
            .WithBottleneck(Heads.Bottleneck(12, 6), features: 6)
            .WithLabelClassifier(Heads.Linear(6, 3))
            .WithDomainClassifier(Heads.Linear(6, 1));

        using AdaptationModel model = builder.Build();

        builder.Shape.Should().Be(new ModelShape(SampleShape.Vector(5), 12, 6, 3, 1));
        builder.Features.Should().Be(6);
        model.LearningRates.Should().Be(new PartLearningRates(0.1, 1.0, 1.0));
        model.state_dict().Keys.Should().Contain(["bottleneck.fc1.weight", "bottleneck.bn1.running_mean"]);
    }

    [Fact]
    public void Build_LabelHeadSizedForTheBackboneBehindABottleneck_ThrowsNamingTheBottleneck()
    {
        random.manual_seed(1);
        AdaptationModelBuilder builder = new AdaptationModelBuilder()
            .WithInputShape(SampleShape.Vector(5))
            .WithFeatureExtractor(nn.Linear(5, 12))
            .WithBottleneck(Heads.Bottleneck(12, 6))
            .WithLabelClassifier(Heads.Linear(12, 3));

        builder.Invoking(b => b.Build()).Should().Throw<ModelCompositionException>()
            .WithMessage("The parts do not fit: bottleneck gives 6 features, label classifier expects 12*")
            .Which.Part.Should().Be(ModelPart.LabelClassifier);
    }

    [Fact]
    public void Build_MissingLabelClassifier_ThrowsNamingIt()
    {
        random.manual_seed(1);
        AdaptationModelBuilder builder = new AdaptationModelBuilder().WithInputShape(2).WithFeatureExtractor(nn.Linear(2, 4));

        builder.Invoking(b => b.Build()).Should().Throw<ModelCompositionException>()
            .WithMessage("Cannot build the model: missing the label classifier (WithLabelClassifier). Set them on the builder, or start from a preset such as ModelPresets.Mnist(...).")
            .Which.MissingParts.Should().Equal(ModelPart.LabelClassifier);
    }

    [Fact]
    public void Build_CalledTwice_Throws()
    {
        random.manual_seed(1);
        AdaptationModelBuilder builder = ModelPresets.Mlp(2);
        using AdaptationModel model = builder.Build();

        builder.Invoking(b => b.Build()).Should().Throw<InvalidOperationException>().WithMessage("This AdaptationModelBuilder already built a model*");
        builder.Invoking(b => b.WithDtype(ScalarType.Float64)).Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void Build_WithDtypeFloat64_MovesEveryParameterAndChecksInFloat64()
    {
        random.manual_seed(1);
        using AdaptationModel model = ModelPresets.MnistModern(Mnist28).WithDtype(ScalarType.Float64).WithDevice(CPU).Build();

        model.parameters().Should().OnlyContain(p => p.dtype == ScalarType.Float64 && p.device.type == DeviceType.CPU);
        model.state_dict()["feature_extractor.bn1.running_mean"].dtype.Should().Be(ScalarType.Float64);
        using var scope = NewDisposeScope();
        model.forward(randn(2, 3, 28, 28, ScalarType.Float64)).dtype.Should().Be(ScalarType.Float64);
    }

    [Fact]
    public void WithDtype_Integer_Throws()
    {
        new AdaptationModelBuilder().Invoking(b => b.WithDtype(ScalarType.Int64)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("dtype");
    }

    [Fact]
    public void Build_AfterCheck_RestoresEachModulesTrainingFlag()
    {
        random.manual_seed(1);
        AdaptationModelBuilder builder = ModelPresets.MnistModern(Mnist28);
        builder.LabelClassifier!.eval(); // a frozen head, e.g. with fixed batch-norm statistics

        using AdaptationModel model = builder.Build();

        model.FeatureExtractor.training.Should().BeTrue();
        model.FeatureExtractor.modules().Should().OnlyContain(m => m.training);
        model.LabelClassifier.training.Should().BeFalse();
        model.LabelClassifier.modules().Should().OnlyContain(m => !m.training);
        builder.DomainClassifier!.training.Should().BeTrue();
    }

    [Fact]
    public void Build_CustomParts_ReportsShape()
    {
        random.manual_seed(1);
        AdaptationModelBuilder builder = new AdaptationModelBuilder()
            .WithInputShape(SampleShape.Vector(6))
            .WithFeatureExtractor(nn.Sequential(nn.Linear(6, 12), nn.Tanh()), features: 12)
            .WithLabelClassifier(Heads.Mlp(12, [8], 3, dropout: 0.2, batchNorm: true))
            .WithDomainClassifier(Heads.Mlp(12, [8, 8], 2, activation: HiddenActivation.Tanh));

        using AdaptationModel model = builder.Build();

        builder.Shape.Should().Be(new ModelShape(SampleShape.Vector(6), 12, 12, 3, 2));
        ModelInspector.Inspect(model, SampleShape.Vector(6), domainClassifier: builder.DomainClassifier).Should().Be(builder.Shape);
        ModelInspector.Inspect(model, SampleShape.Vector(6)).DomainOutputs.Should().BeNull();
    }

    /// <summary>A head whose input size cannot be read from its layers.</summary>
    private sealed class OpaqueHead : nn.Module<Tensor, Tensor>
    {
#pragma warning disable IDE1006 // Field names are the state-dict keys.
        private readonly TorchSharp.Modules.Linear inner;
#pragma warning restore IDE1006

        public OpaqueHead(long inFeatures, long outFeatures)
            : base(nameof(OpaqueHead))
        {
            inner = nn.Linear(inFeatures, outFeatures);
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => inner.call(input);
    }
}
