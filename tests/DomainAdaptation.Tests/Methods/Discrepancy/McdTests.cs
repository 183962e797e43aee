using DomainAdaptation.Methods;
using DomainAdaptation.Methods.Discrepancy;
using DomainAdaptation.Tests.TestSupport;
using DomainAdaptation.Training;
using TorchSharp;
using static DomainAdaptation.Tests.Methods.MethodTestSupport;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace DomainAdaptation.Tests.Methods.Discrepancy;

/// <summary>MCD (Saito et al. 2018): the discrepancy, and one trainer step against its three phases written out with plain SGD.</summary>
[Collection(TorchSerial.Name)]
public class McdTests
{
    [Fact]
    public void Discrepancy_EqualsTheMeanAbsoluteDifferenceOfProbabilities()
    {
        using var scope = NewDisposeScope();
        Tensor a = Fixed(3, 4, 1), b = Fixed(3, 4, 2);
        double[][] pa = Rows(a).Select(r => Softmax(r)).ToArray(), pb = Rows(b).Select(r => Softmax(r)).ToArray();
        double expected = pa.Zip(pb).Sum(p => p.First.Zip(p.Second).Sum(v => Math.Abs(v.First - v.Second))) / 12;

        Mcd.Discrepancy(a, b).ToDouble().Should().BeApproximately(expected, Tolerance);
        Mcd.Discrepancy(a, a.clone()).ToDouble().Should().Be(0);
    }

    [Fact]
    public void Train_OneStep_EqualsThreePhasesWrittenOut()
    {
        using var data = SyntheticData.Blobs(16, 16, features: 3, classes: 3, seed: 4);
        const int batch = 8, numK = 2;
        const double lr = 0.1, w = 0.8, e = 0.05;
        random.manual_seed(12);
        var model = new DomainAdaptation.Models.AdaptationModel(nn.Sequential(nn.Linear(3, 4), nn.Tanh()), nn.Linear(4, 3));
        var second = nn.Linear(4, 3);
        model.to(ScalarType.Float64);
        second.to(ScalarType.Float64);
        // The reference's own copies: G = (W, b), F1 = (V1, c1), F2 = (V2, c2).
        Tensor W = Copy(model.FeatureExtractor, "0.weight"), b = Copy(model.FeatureExtractor, "0.bias");
        Tensor V1 = Copy(model.LabelClassifier, "weight"), c1 = Copy(model.LabelClassifier, "bias");
        Tensor V2 = Copy(second, "weight"), c2 = Copy(second, "bias");

        var options = new AdaptationTrainerOptions { Steps = 1, BatchSizePerDomain = batch, Seed = 3, Optimizer = { LearningRate = lr, Momentum = 0, LearningRateSchedule = DomainAdaptation.Schedules.LearningRateSchedules.Constant() }, Precision = { Dtype = ScalarType.Float64 } };
        using (var trainer = new AdaptationTrainer(model, data, new Mcd(second, w, numK, e), options))
        {
            trainer.Train();
        }

        var indices = new DomainAdaptation.Data.Batching.DomainBatchSampler(16, 16, batch, 3).IndicesAt(0);
        Tensor xs = data.Source.Samples.index_select(0, tensor(indices.Source)).to_type(ScalarType.Float64);
        Tensor ys = data.Source.Labels!.index_select(0, tensor(indices.Source));
        Tensor xt = data.Target.Samples.index_select(0, tensor(indices.Target)).to_type(ScalarType.Float64);
        Tensor G(Tensor x) => x.matmul(W.t()).add(b).tanh();
        Tensor H(Tensor z) { Tensor l = z.log_softmax(1); return l.exp().mul(l).sum(1).neg().mean(); }
        Tensor Source(Tensor gs, Tensor gt) =>
            F.cross_entropy(gs.matmul(V1.t()).add(c1), ys) + F.cross_entropy(gs.matmul(V2.t()).add(c2), ys)
            + (H(gt.matmul(V1.t()).add(c1)) + H(gt.matmul(V2.t()).add(c2))).mul(e);
        Tensor D(Tensor gt) => (gt.matmul(V1.t()).add(c1).softmax(1) - gt.matmul(V2.t()).add(c2).softmax(1)).abs().mean();
        void Step(Tensor loss, params Tensor[] parameters)
        {
            foreach (Tensor p in new[] { W, b, V1, c1, V2, c2 }) p.grad?.zero_();
            loss.backward();
            using var noGrad = no_grad();
            foreach (Tensor p in parameters) p.sub_(p.grad!.mul(lr));
        }

        // A: all parameters on the source losses. B: the classifiers on fixed features, minus w·d. C: G on w·d, num_k times.
        Step(Source(G(xs), G(xt)), W, b, V1, c1, V2, c2);
        Tensor fs = G(xs).detach(), ft = G(xt).detach();
        Step(Source(fs, ft) - D(ft).mul(w), V1, c1, V2, c2);
        for (int k = 0; k < numK; k++) Step(D(G(xt)).mul(w), W, b);

        MaxDifference(Copy(model.FeatureExtractor, "0.weight"), W).Should().BeLessThan(Tolerance);
        MaxDifference(Copy(model.FeatureExtractor, "0.bias"), b).Should().BeLessThan(Tolerance);
        MaxDifference(Copy(model.LabelClassifier, "weight"), V1).Should().BeLessThan(Tolerance);
        MaxDifference(Copy(second, "weight"), V2).Should().BeLessThan(Tolerance);
        MaxDifference(Copy(second, "bias"), c2).Should().BeLessThan(Tolerance);
    }

    private static Tensor Copy(nn.Module module, string name) => module.state_dict()[name].detach().clone().requires_grad_(true);
}
