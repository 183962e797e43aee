using DomainAdaptation.Data;
using DomainAdaptation.Methods;
using DomainAdaptation.Models;
using DomainAdaptation.Tests.TestSupport;
using DomainAdaptation.Training;
using TorchSharp;
using static DomainAdaptation.Tests.Methods.MethodTestSupport;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Methods;

/// <summary>The shared pass with target views: the batches batch norm sees, and the errors of misuse.</summary>
[Collection(TorchSerial.Name)]
public class StepForwardTests
{
    /// <summary>A model with batch norm in its feature extractor, so that the grouping of a pass changes its outputs.</summary>
    private static AdaptationModel BatchNormModel()
    {
        random.manual_seed(11);
        var model = new AdaptationModel(nn.Sequential(("fc", nn.Linear(3, 4)), ("bn", nn.BatchNorm1d(4))), nn.Linear(4, 2));
        model.to(ScalarType.Float64);
        model.train();
        return model;
    }

    private static DomainBatch Batch() => new(Fixed(5, 3, 1), tensor(new long[] { 0, 1, 0, 1, 1 }), Fixed(5, 3, 2, shift: 1.5), null);

    [Fact]
    public void TargetViews_JointPass_OneBatchOfSourceTargetAndViews()
    {
        using var scope = NewDisposeScope();
        AdaptationModel model = BatchNormModel();
        DomainBatch batch = Batch();
        Tensor views = Fixed(3, 3, 3, shift: -1);
        var forward = new StepForward(model, batch, BatchNormMode.Joint, ForwardNeeds.Both);
        forward.AddTargetViews(this, views);

        Tensor expected = model.forward(cat([batch.SourceImages, batch.TargetImages, views], 0));

        MaxDifference(forward.SourceLogits, expected.narrow(0, 0, 5)).Should().BeLessThan(Tolerance);
        MaxDifference(forward.TargetLogits, expected.narrow(0, 5, 5)).Should().BeLessThan(Tolerance);
        MaxDifference(forward.TargetViewLogits(this), expected.narrow(0, 10, 3)).Should().BeLessThan(Tolerance);
        forward.Features.shape.Should().Equal([10, 4], "the halves' features exclude the views");
        MaxDifference(forward.Logits, expected.narrow(0, 0, 10)).Should().BeLessThan(Tolerance);
    }

    [Fact]
    public void TargetViews_SeparatePasses_ViewsJoinTheTargetPass()
    {
        using var scope = NewDisposeScope();
        AdaptationModel model = BatchNormModel();
        DomainBatch batch = Batch();
        Tensor views = Fixed(3, 3, 3, shift: -1);
        var forward = new StepForward(model, batch, BatchNormMode.Separate, ForwardNeeds.Both);
        forward.AddTargetViews(this, views);

        Tensor source = model.forward(batch.SourceImages);
        Tensor target = model.forward(cat([batch.TargetImages, views], 0));

        MaxDifference(forward.SourceLogits, source).Should().BeLessThan(Tolerance);
        MaxDifference(forward.TargetLogits, target.narrow(0, 0, 5)).Should().BeLessThan(Tolerance);
        MaxDifference(forward.TargetViewLogits(this), target.narrow(0, 5, 3)).Should().BeLessThan(Tolerance);
        MaxDifference(forward.TargetLogits, model.forward(batch.TargetImages)).Should().BeGreaterThan(1e-3, "batch norm saw the views with the target half");
    }

    [Fact]
    public void TargetViews_SourceOnlyNeeds_OnePassOfSourceAndViewsWithJointBatchNorm()
    {
        using var scope = NewDisposeScope();
        AdaptationModel model = BatchNormModel();
        DomainBatch batch = Batch();
        Tensor views = Fixed(4, 3, 4);
        var forward = new StepForward(model, batch, BatchNormMode.Joint, ForwardNeeds.Source);
        forward.AddTargetViews(this, views);

        Tensor expected = model.forward(cat([batch.SourceImages, views], 0));

        MaxDifference(forward.TargetViewLogits(this), expected.narrow(0, 5, 4)).Should().BeLessThan(Tolerance);
        MaxDifference(forward.SourceLogits, expected.narrow(0, 0, 5)).Should().BeLessThan(Tolerance);
    }

    [Fact]
    public void TargetViews_TwoOwners_EachReadsItsOwn()
    {
        using var scope = NewDisposeScope();
        AdaptationModel model = BatchNormModel();
        DomainBatch batch = Batch();
        object first = new(), second = new();
        Tensor a = Fixed(2, 3, 5), b = Fixed(3, 3, 6);
        var forward = new StepForward(model, batch, BatchNormMode.Joint, ForwardNeeds.Both);
        forward.AddTargetViews(first, a);
        forward.AddTargetViews(second, b);

        Tensor expected = model.forward(cat([batch.SourceImages, batch.TargetImages, a, b], 0));

        MaxDifference(forward.TargetViewLogits(first), expected.narrow(0, 10, 2)).Should().BeLessThan(Tolerance);
        MaxDifference(forward.TargetViewLogits(second), expected.narrow(0, 12, 3)).Should().BeLessThan(Tolerance);
        forward.TargetViewFeatures(second).shape.Should().Equal([3, 4]);
    }

    [Fact]
    public void AddTargetViews_AfterThePassRan_ThrowsNamingWhereToAddThem()
    {
        using var scope = NewDisposeScope();
        var forward = new StepForward(BatchNormModel(), Batch(), BatchNormMode.Joint, ForwardNeeds.Both);
        _ = forward.SourceLogits;

        Action add = () => forward.AddTargetViews(this, Fixed(2, 3, 7));

        add.Should().Throw<InvalidOperationException>().WithMessage("*before the shared forward pass runs*AddInputs*");
    }

    [Fact]
    public void AddTargetViews_WrongSampleShape_ThrowsNamingBothShapes()
    {
        using var scope = NewDisposeScope();
        var forward = new StepForward(BatchNormModel(), Batch(), BatchNormMode.Joint, ForwardNeeds.Both);

        Action add = () => forward.AddTargetViews(this, Fixed(2, 4, 7));

        add.Should().Throw<ArgumentException>().WithMessage("*[V, 3]*[2, 4]*");
    }

    [Fact]
    public void TargetViewLogits_NoViewsAdded_Throws()
    {
        using var scope = NewDisposeScope();
        var forward = new StepForward(BatchNormModel(), Batch(), BatchNormMode.Joint, ForwardNeeds.Both);

        Action read = () => forward.TargetViewLogits(this);

        read.Should().Throw<InvalidOperationException>().WithMessage("*no target views*");
    }
}
