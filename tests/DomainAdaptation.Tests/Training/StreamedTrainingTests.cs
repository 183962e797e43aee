using DomainAdaptation.Data;
using DomainAdaptation.Data.Augmentation;
using DomainAdaptation.Data.Datasets;
using DomainAdaptation.Models;
using DomainAdaptation.Tests.Data.Formats;
using DomainAdaptation.Tests.TestSupport;
using DomainAdaptation.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Training;

/// <summary>Training on streamed image folders gives what training on the same folders in memory gives.</summary>
[Collection(TorchSerial.Name)]
public class StreamedTrainingTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string WriteDomain(string name, int perClass, int brightness, int seed)
    {
        string root = _temp.Combine(name);
        for (int c = 0; c < 2; c++)
        {
            string folder = Directory.CreateDirectory(Path.Combine(root, c == 0 ? "dark" : "light")).FullName;
            for (int i = 0; i < perClass; i++)
            {
                byte[] noise = TestPng.RandomBytes(3 * 6 * 6, (seed * 1000) + (c * 100) + i);
                byte[] pixels = noise.Select(b => (byte)Math.Clamp((b / 4) + brightness + (c * 120), 0, 255)).ToArray();
                // Every third image at another size, so that streaming resizes as the in-memory load does.
                int size = i % 3 == 0 ? 5 : 6;
                File.WriteAllBytes(Path.Combine(folder, $"{i:D2}.png"), TestPng.Encode8(size, size, 2, pixels[..(3 * size * size)]));
            }
        }

        return root;
    }

    private static TestNet Net()
    {
        random.manual_seed(11);
        var features = nn.Sequential(("flat", nn.Flatten()), ("fc", nn.Linear(3 * 6 * 6, 8)), ("act", nn.Tanh()));
        var model = new AdaptationModel(features, nn.Linear(8, 2));
        return new TestNet(model, nn.Linear(8, 1));
    }

    [Fact]
    public void Train_StreamedFolders_SameWeightsAndLossesAsInMemory()
    {
        string source = WriteDomain("source", 9, 10, 1);
        string target = WriteDomain("target", 7, 60, 2);
        var results = new List<(Dictionary<string, Tensor> Weights, double[] Losses)>();
        foreach (bool stream in new[] { false, true })
        {
            var options = new ImageFolderOptions { Height = 6, Width = 6, Stream = stream };
            using ImageFolderDataset s = ImageFolder.Load(source, options);
            using ImageFolderDataset t = ImageFolder.Load(target, options);
            using var data = new DomainDataset("folders", s.Samples.Copy(), t.Samples.Copy());
            data.Source.IsStreamed.Should().Be(stream);
            TestNet net = Net();
            using AdaptationTrainer trainer = TestTrainer.Create(net, data, new AdaptationTrainerOptions
            {
                Steps = 12,
                BatchSizePerDomain = 4,
                Seed = 3,
                Input = { SourceAugmentation = AugmentationKind.Weak, PrefetchSteps = 3 },
            });
            var losses = new List<double>();
            trainer.Train(new SyncProgress<StepMetrics>(m => losses.Add(m.TotalLoss)));
            results.Add((TestModels.Snapshot(net), losses.ToArray()));
        }

        results[1].Losses.Should().Equal(results[0].Losses, "a batch read from disk is the batch read from memory");
        TestModels.BitwiseEqual(results[0].Weights, results[1].Weights, out string difference).Should().BeTrue(difference);
    }
}
