using DomainAdaptation.Data;
using DomainAdaptation.Data.Batching;
using DomainAdaptation.Evaluation;
using DomainAdaptation.Models;
using DomainAdaptation.Tests.TestSupport;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Evaluation;

[Collection(TorchSerial.Name)]
public class FeatureEmbeddingTests
{
    [Fact]
    public void Pca_PointsOnALine_FirstAxisKeepsTheirDistancesSecondIsZero()
    {
        // Points x = t·(1, 2, 2)/3 + (5, −1, 0): one direction of variance, so PC1 = ±t (up to the mean), PC2 = 0.
        double[] ts = [-2, -0.5, 0, 1, 3.5];
        Tensor Points(IEnumerable<double> t) => tensor(t.SelectMany(v => new[] { 5 + v / 3, -1 + 2 * v / 3, 2 * v / 3 }).ToArray(), [t.Count(), 3]);
        using Tensor source = Points(ts.Take(3));
        using Tensor target = Points(ts.Skip(3));

        (float[,] s, float[,] t) = FeatureEmbedding.Pca(source, target);

        double[] first = [s[0, 0], s[1, 0], s[2, 0], t[0, 0], t[1, 0]];
        for (int i = 1; i < ts.Length; i++) Math.Abs(first[i] - first[0]).Should().BeApproximately(Math.Abs(ts[i] - ts[0]), 1e-4);
        new[] { s[0, 1], s[1, 1], s[2, 1], t[0, 1], t[1, 1] }.Should().OnlyContain(v => Math.Abs(v) < 1e-4);
        first.Average().Should().BeApproximately(0, 1e-4, "the projection is of the centred data");
    }

    [Fact]
    public void Pca_AllComponents_IsARotation()
    {
        var generator = new Generator(3);
        using Tensor source = randn([6, 4], generator: generator);
        using Tensor target = randn([5, 4], generator: generator);

        (float[,] s, float[,] t) = FeatureEmbedding.Pca(source, target, components: 4);

        using Tensor original = cat(new[] { source, target }, 0);
        float[,] all = new float[11, 4];
        for (int r = 0; r < 11; r++) for (int c = 0; c < 4; c++) all[r, c] = r < 6 ? s[r, c] : t[r - 6, c];
        using Tensor projected = tensor(all.Cast<float>().ToArray(), [11, 4]);
        (cdist(projected, projected) - cdist(original, original)).abs().max().item<float>().Should().BeLessThan(1e-4f);
    }

    [Fact]
    public void Pca_DifferentWidths_SaysBothShapes()
    {
        Action act = () => FeatureEmbedding.Pca(zeros(3, 4), zeros(3, 5));

        act.Should().Throw<ArgumentException>().WithMessage("*same F, but got [3, 4] and [3, 5]*");
    }

    [Fact]
    public void Pca_TooManyComponents_IsRefused()
    {
        Action act = () => FeatureEmbedding.Pca(zeros(3, 2), zeros(3, 2), components: 3);

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*[1, 2]*");
    }

    [Fact]
    public void Extract_SmallBatches_SameAsOnePassInEvalModeAndModeRestored()
    {
        AdaptationModel model = ModelPresets.MnistModern(SampleShape.Image(3, 32, 32), seed: 1).Build();
        using (model)
        {
            var generator = new Generator(5);
            using var set = new SampleSet("images", randint(0, 256, [10, 3, 32, 32], dtype: ScalarType.Byte, generator: generator), null, 10);
            using var converter = new SampleConverter(ScalarType.Float32, CPU);
            model.train();

            using Tensor features = FeatureEmbedding.Extract(model, set, converter, maxSamples: 7, batchSize: 3);

            model.training.Should().BeTrue("Extract restores the model's mode");
            features.shape.Should().Equal(7, 1200);
            model.eval();
            using var noGrad = no_grad();
            using Tensor expected = model.Features(converter.Convert(set.Samples.narrow(0, 0, 7)));
            (features - expected).abs().max().item<float>().Should().BeLessThan(1e-5f, "three batches of eval-mode features equal one pass (no dropout, running statistics)");
        }
    }
}
