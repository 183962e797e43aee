using DomainAdaptation.Data;
using DomainAdaptation.Data.Batching;
using DomainAdaptation.Selection;
using DomainAdaptation.Selection.Validators;
using DomainAdaptation.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Selection;

/// <summary>
/// The label-free validators against values computed independently (benchmarks/reference/validators_reference.py:
/// numpy, scikit-learn's adjusted_mutual_info_score, scipy's spearmanr, pytorch-adapt's DEV risk and SND written out),
/// and their stated invariances.
/// </summary>
[Collection(TorchSerial.Name)]
public class ValidatorsTests
{
    private static readonly double[,] Logits = { { 2.0, 0.5, -1.0 }, { 0.1, 0.2, 0.3 }, { -1.0, 3.0, 0.0 }, { 0.0, 0.0, 4.0 }, { 1.5, 1.4, -0.2 } };

    [Fact]
    public void EntropyImBnmSnd_FixedLogits_EqualTheReferenceValues()
    {
        using var scope = NewDisposeScope();
        Tensor z = tensor(Logits);

        EntropyValidator.MeanEntropy(z).Should().BeApproximately(0.6193203243251861, 1e-12);
        (double diversity, double entropy) = InformationMaximizationValidator.Parts(z);
        diversity.Should().BeApproximately(1.0937312169495106, 1e-12);
        (diversity - entropy).Should().BeApproximately(0.47441089262432445, 1e-12);
        BnmValidator.NuclearNormPerSample(z).Should().BeApproximately(0.6072874228218235, 1e-12);
        SndValidator.Density(z).Should().BeApproximately(0.3152923050704902, 1e-10);
    }

    [Fact]
    public void DevRisk_FixedWeightsAndErrors_EqualsPytorchAdaptsControlVariateEstimate()
    {
        (double risk, double eta) = DevValidator.Risk([0.5, 1.5, 0.8, 2.0, 1.2], [0.3, 1.1, 0.2, 0.9, 0.4]);

        risk.Should().BeApproximately(0.5920579710144929, 1e-12);
        eta.Should().BeApproximately(-1.2797101449275363, 1e-12);
        DevValidator.Risk([1, 1, 1, 1], [0.2, 0.4, 0.6, 0.8]).Risk.Should().BeApproximately(0.5, 1e-15, "unit weights (no shift) give the plain mean loss");
    }

    [Fact]
    public void Ami_FixedLabelings_EqualsScikitLearn_AndIsInvariantToRenaming()
    {
        int[] a = [0, 0, 1, 1, 2, 2, 2, 0, 1, 2];
        int[] b = [1, 1, 0, 0, 2, 2, 0, 1, 0, 2];

        AdjustedMutualInformation.Score(a, b).Should().BeApproximately(0.7172912023015782, 1e-12);
        AdjustedMutualInformation.Score(a, a).Should().BeApproximately(1.0, 1e-12);
        AdjustedMutualInformation.Score(a, [.. a.Select(v => (v + 1) % 3 + 5)]).Should().BeApproximately(1.0, 1e-12, "AMI does not depend on the labels' names");
        AdjustedMutualInformation.Score(b, a).Should().BeApproximately(0.7172912023015782, 1e-12, "AMI is symmetric");
    }

    [Fact]
    public void Spearman_FixedPairs_EqualsScipy_AndRegretPicksTheTopScore()
    {
        double[] x = [0.9, 0.1, 0.4, 0.4, 0.7, 0.2];
        double[] y = [0.80, 0.30, 0.55, 0.50, 0.75, 0.35];

        SelectionStudy.Spearman(x, y).Should().BeApproximately(0.9856107606091624, 1e-12);
        SelectionStudy.Regret(x, y).Should().Be((0.0, 0));
        (double regret, int chosen) = SelectionStudy.Regret([0.1, 0.9, 0.5], [0.8, 0.6, 0.7]);
        chosen.Should().Be(1);
        regret.Should().BeApproximately(0.2, 1e-15);
        SelectionStudy.Spearman([1, 2, 3], [3, 2, 1]).Should().Be(-1);
    }

    [Fact]
    public void Invariances_ImZeroForACollapseLnKForConfidentDiverse_BnmAndSndBounds()
    {
        using var scope = NewDisposeScope();
        Tensor collapsed = zeros(6, 3, ScalarType.Float64).index_fill(1, tensor(new long[] { 0 }), 50.0);
        Tensor diverse = eye(3, dtype: ScalarType.Float64).repeat(2, 1).mul(50.0);
        Tensor uniform = zeros(6, 3, ScalarType.Float64);

        (double d, double e) = InformationMaximizationValidator.Parts(collapsed);
        (d - e).Should().BeApproximately(0, 1e-12, "one class for everything carries no information");
        (double dd, double de) = InformationMaximizationValidator.Parts(diverse);
        (dd - de).Should().BeApproximately(Math.Log(3), 1e-12, "IM's maximum is ln K");
        BnmValidator.NuclearNormPerSample(diverse).Should().BeGreaterThan(BnmValidator.NuclearNormPerSample(uniform));
        BnmValidator.NuclearNormPerSample(uniform).Should().BeApproximately(1 / Math.Sqrt(6 * 3), 1e-12);
        SndValidator.Density(uniform).Should().BeApproximately(Math.Log(5), 1e-12, "identical predictions: every neighbour equally near, SND's maximum ln(N − 1)");
        SndValidator.Density(diverse).Should().BeInRange(0, Math.Log(5));
    }

    [Fact]
    public void KMeans_SeparatedBlobs_FindsThemAndClassAmiIsOneWhenPredictionsFollowThem()
    {
        using var scope = NewDisposeScope();
        using var data = SyntheticData.Blobs(30, 30, features: 4, classes: 3, seed: 5);
        Tensor features = data.Source.Samples;
        int[] truth = [.. data.Source.Labels!.data<long>().Select(v => (int)v)];

        (int[] clusters, double inertia) = KMeans.Cluster(features, 3, seed: 1);

        AdjustedMutualInformation.Score(truth, clusters).Should().BeGreaterThan(0.9);
        inertia.Should().BePositive();
        KMeans.Cluster(features, 3, seed: 1).Clusters.Should().Equal(clusters, "the same seed gives the same clustering");
    }

    [Fact]
    public void Validators_OnATrainedToyModel_ScoreWithoutTargetLabelsAndNameThemselves()
    {
        using var data = SyntheticData.Blobs(60, 60, features: 3, classes: 3, seed: 1, dtype: ScalarType.Float32);
        TestNet net = TestModels.Mlp(3, 8, 3, seed: 2);
        using (var trainer = TestTrainer.Create(net, data, new DomainAdaptation.Training.AdaptationTrainerOptions { Steps = 40, BatchSizePerDomain = 16 }))
        {
            trainer.Train();
        }

        using var converter = new SampleConverter(ScalarType.Float32, CPU);
        // The target set's labels are dropped: a validator must not need them.
        using var target = new SampleSet("target without labels", data.Target.Samples.clone(), null, 3);
        using var validation = new ValidationData(net, converter, data.Source, target, sourceTrain: data.Source);
        foreach (string name in DomainAdaptation.Selection.Validators.Validators.Names)
        {
            ValidationScore score = DomainAdaptation.Selection.Validators.Validators.Create(name, seed: 3).Score(validation);
            score.Validator.Should().Be(name);
            double.IsFinite(score.Score).Should().BeTrue(name);
        }

        DomainAdaptation.Selection.Validators.Validators.Create("dev", 3).Score(validation).Parts.Select(p => p.Key).Should().Equal("risk", "mean_weight", "domain_accuracy", "eta");
        FluentActions.Invoking(() => DomainAdaptation.Selection.Validators.Validators.Create("accuracy")).Should().Throw<ArgumentException>().WithMessage("There is no validator 'accuracy'. The validators are: source-accuracy, entropy, im, bnm, snd, dev, class-ami, and reverse*");
    }

    [Fact]
    public void ValidationData_UnlabelledHeldOutSource_ThrowsNamingTheSet()
    {
        using var data = SyntheticData.Blobs(10, 10, features: 3, classes: 2, seed: 1, dtype: ScalarType.Float32);
        using var converter = new SampleConverter(ScalarType.Float32, CPU);
        using var unlabelled = new SampleSet("no labels", data.Source.Samples.clone(), null, 2);

        FluentActions.Invoking(() => new ValidationData(TestModels.Mlp(3, 4, 2, seed: 1), converter, unlabelled, data.Target))
            .Should().Throw<ArgumentException>().WithMessage("The held-out source set 'no labels' has no labels*");
    }

    [Fact]
    public void Spread_TakesEveryKthSample()
    {
        ValidationData.Spread(10, 4).Should().Equal(0, 2, 5, 7);
        ValidationData.Spread(3, 4).Should().Equal(0, 1, 2);
    }
}
