using DomainAdaptation.Data.Batching;
using DomainAdaptation.Schedules;
using DomainAdaptation.Tests.TestSupport;
using DomainAdaptation.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Training;

/// <summary>
/// The trainer's steps against a computation written out by hand: the same batches, the forward pass, both losses, the
/// gradients with the reversal applied by hand, and the SGD-with-momentum update, all in float64.
/// </summary>
[Collection(TorchSerial.Name)]
public class ReferenceStepTests
{
    private const int Batch = 8;
    private const long Seed = 9;
    private const double BaseLearningRate = 0.2;
    private const double Momentum = 0.9;
    private const double WeightDecay = 0.01;
    private const double DomainWeight = 0.7;

    [Theory]
    [InlineData(BatchNormMode.Joint)]
    [InlineData(BatchNormMode.Separate)]
    public void Train_TwoDannSteps_EqualHandWrittenReference(BatchNormMode mode)
    {
        using var data = SyntheticData.Blobs(40, 24, features: 3, classes: 3, seed: 4);
        var model = TestModels.Mlp(3, 5, 3, seed: 17, dtype: ScalarType.Float64);

        // The reference's own copies of the initial parameters (the trainer changes the model's in place).
        Tensor W1 = Leaf(model, "feature_extractor.fc.weight"), b1 = Leaf(model, "feature_extractor.fc.bias");
        Tensor W2 = Leaf(model, "label_classifier.weight"), b2 = Leaf(model, "label_classifier.bias");
        Tensor Wd = Leaf(model.DomainHead, "weight"), bd = Leaf(model.DomainHead, "bias");
        Tensor[] all = [W1, b1, W2, b2, Wd, bd];
        var momentum = new Tensor?[all.Length];

        var losses = new List<StepMetrics>();
        var options = new AdaptationTrainerOptions
        {
            Steps = 2,
            BatchSizePerDomain = Batch,
            BatchNormMode = mode,
            Seed = Seed,
            // The library's schedule types are not used by the reference: it writes the formulas out.
            Optimizer = { LearningRate = BaseLearningRate, Momentum = Momentum, WeightDecay = WeightDecay, LearningRateSchedule = LearningRateSchedules.Annealing() },
            Precision = { Dtype = ScalarType.Float64 },
        };
        using (var trainer = TestTrainer.Create(model, data, options, method: model.Dann(LambdaSchedules.Ganin(), DomainWeight)))
        {
            trainer.Train(new SyncProgress<StepMetrics>(losses.Add));
        }

        var sampler = new DomainBatchSampler(40, 24, Batch, Seed);
        for (int step = 0; step < 2; step++)
        {
            double p = step / 2.0;
            double lambda = (2.0 / (1.0 + Math.Exp(-10.0 * p))) - 1.0;
            double lr = BaseLearningRate / Math.Pow(1.0 + (10.0 * p), 0.75);

            DomainBatchIndices indices = sampler.IndicesAt(step);
            Tensor xs = data.Source.Samples.index_select(0, tensor(indices.Source));
            Tensor ys = data.Source.Labels!.index_select(0, tensor(indices.Source));
            Tensor xt = data.Target.Samples.index_select(0, tensor(indices.Target));

            // Forward by hand: h = tanh(x W1ᵀ + b1); class logits h W2ᵀ + b2; domain logit h Wdᵀ + bd.
            Tensor Hidden(Tensor x) => x.matmul(W1.t()).add(b1).tanh();
            Tensor hs = Hidden(xs), ht = Hidden(xt);
            Tensor logits = hs.matmul(W2.t()).add(b2);
            // Cross-entropy: mean over the source half of logsumexp(z) − z_y.
            Tensor labelLoss = logits.logsumexp(1).sub(logits.gather(1, ys.unsqueeze(1)).squeeze(1)).mean();
            // Binary cross-entropy with logits, source = 0, target = 1: mean of softplus(z) − t·z.
            Tensor z = cat([hs, ht], 0).matmul(Wd.t()).add(bd).squeeze(1);
            Tensor t = cat([zeros(Batch, ScalarType.Float64), ones(Batch, ScalarType.Float64)], 0);
            Tensor domainLoss = z.exp().log1p().sub(t.mul(z)).mean();

            losses[step].LabelLoss.Should().BeApproximately(labelLoss.ToDouble(), 1e-6, $"label loss of step {step + 1}");
            losses[step].Loss("domain")!.Value.Should().BeApproximately(domainLoss.ToDouble(), 1e-6, $"domain loss of step {step + 1}");
            losses[step].Schedule("lambda")!.Value.Should().BeApproximately(lambda, 1e-15);
            losses[step].LearningRate.Should().BeApproximately(lr, 1e-15);

            // Gradients: label loss everywhere; domain loss into the domain head as is and into the features
            // multiplied by −λ (the reversal); the domain loss weighted by w.
            Tensor[] gy = Gradients(labelLoss, all);
            Tensor[] gd = Gradients(domainLoss, all);
            var update = new Tensor[all.Length];
            for (int i = 0; i < all.Length; i++)
            {
                bool featureExtractor = i < 2;
                Tensor g = gy[i].add(gd[i].mul(DomainWeight * (featureExtractor ? -lambda : 1.0)));
                g = g.add(all[i].detach().mul(WeightDecay));
                momentum[i] = momentum[i] is null ? g : momentum[i]!.mul(Momentum).add(g);
                update[i] = all[i].detach().sub(momentum[i]!.mul(lr));
            }

            for (int i = 0; i < all.Length; i++)
            {
                all[i] = update[i].detach().requires_grad_(true);
            }

            (W1, b1, W2, b2, Wd, bd) = (all[0], all[1], all[2], all[3], all[4], all[5]);
        }

        string[] names = ["feature_extractor.fc.weight", "feature_extractor.fc.bias", "label_classifier.weight", "label_classifier.bias", "domain_head.weight", "domain_head.bias"];
        var trained = TestModels.Snapshot(model);
        for (int i = 0; i < names.Length; i++)
        {
            double difference = trained[names[i]].sub(all[i].detach()).abs().max().ToDouble();
            difference.Should().BeLessThan(1e-6, $"{names[i]} after two steps");
            trained[names[i]].sub(TestModels.Snapshot(TestModels.Mlp(3, 5, 3, seed: 17, dtype: ScalarType.Float64))[names[i]]).abs().max().ToDouble()
                .Should().BeGreaterThan(1e-4, $"{names[i]} must have moved, or the comparison proves nothing");
        }
    }

    private static Tensor Leaf(nn.Module model, string name) =>
        model.state_dict()[name].detach().clone().requires_grad_(true);

    private static Tensor[] Gradients(Tensor loss, Tensor[] parameters)
    {
        foreach (Tensor p in parameters) p.grad?.zero_();
        loss.backward(retain_graph: true);
        return parameters.Select(p => p.grad is null ? zeros_like(p) : p.grad.clone()).ToArray();
    }
}
