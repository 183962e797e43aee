using DomainAdaptation.Data;
using DomainAdaptation.Data.Datasets;
using DomainAdaptation.Tests.TestSupport;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Data.Datasets;

[Collection(RealDigitsCollection.Name)]
public class DigitDatasetsTests(RealDigitsFixture data)
{
    [Fact]
    public void Locate_EmptyRoot_ListsEveryMissingFileAndWhere()
    {
        using var empty = new TempDirectory();

        Action act = () => DigitDatasets.Locate(empty.Path);

        act.Should().Throw<FileNotFoundException>()
            .WithMessage($"*{empty.Path}*train-images-idx3-ubyte.gz*train-labels-idx1-ubyte.gz*t10k-images-idx3-ubyte.gz*t10k-labels-idx1-ubyte.gz*mnist_m.tar.gz*mnist_m_train_labels.txt*");
    }

    [Fact]
    public void Locate_RealRoot_FindsAllFiles()
    {
        DigitsDataFiles files = DigitDatasets.Locate(TestData.Root);
        files.MnistM.Should().EndWith("mnist_m.tar.gz");
        files.MnistTrainImages.Should().EndWith("train-images-idx3-ubyte.gz");
    }

    [Fact]
    public void MnistToMnistM_Rgb32_BuildsProblemWithTargetLabelsKeptApart()
    {
        using DigitsProblem problem = DigitDatasets.MnistToMnistM(TestData.Root, DigitsGeometry.Rgb32, data.Options);

        problem.Train.SampleShape.Should().Be(SampleShape.Image(3, 32, 32));
        problem.Train.Source.Count.Should().Be(60_000);
        problem.Train.Target.Count.Should().Be(59_001);
        problem.Train.Target.Labels.Should().BeNull("target labels are never part of the training data");
        problem.Train.TargetLabelsForEvaluation!.SameAs(data.MnistMTrain.Labels!).Should().BeTrue();
        problem.SourceTest.Count.Should().Be(10_000);
        problem.TargetTest.Count.Should().Be(9_001);
        problem.SourceTest.Shape.Should().Be(SampleShape.Image(3, 32, 32));
        problem.Train.Target.Samples.SameAs(data.MnistMTrain.Samples).Should().BeTrue();

        using Tensor border = problem.Train.Source.Samples[.., .., 0..2, ..];
        border.max().item<byte>().Should().Be(0, "MNIST is padded with zeros");
        using Tensor channels = problem.Train.Source.Samples[..100];
        channels[.., 0].SameAs(channels[.., 2]).Should().BeTrue("grey is repeated into R, G and B");
    }

    [Fact]
    public void MnistToMnistM_Rgb28_ResizesMnistM()
    {
        using DigitsProblem problem = DigitDatasets.MnistToMnistM(TestData.Root, DigitsGeometry.Rgb28, data.Options);

        problem.Train.SampleShape.Should().Be(SampleShape.Image(3, 28, 28));
        problem.TargetTest.Shape.Should().Be(SampleShape.Image(3, 28, 28));
        problem.TargetTest.Labels!.SameAs(data.MnistMTest.Labels!).Should().BeTrue();
        problem.Geometry.Should().Be(DigitsGeometry.Rgb28);
    }

    [Fact]
    public void LoadMnist_Test_HasTenThousandGreyDigits()
    {
        using SampleSet test = DigitDatasets.LoadMnist(TestData.Root, DataSplit.Test);
        test.Count.Should().Be(10_000);
        test.Shape.Should().Be(SampleShape.Image(1, 28, 28));
        test.Labels!.SameAs(data.MnistTestLabels).Should().BeTrue();
    }
}
