namespace DomainAdaptation.Onnx.Tests;

public class OnnxModelMetadataTests
{
    private static OnnxModelMetadata Sample => new([3, 2, 2], ["cat", "dog"], [0.5, 0.25, 0.0], [0.5, 0.25, 1.0], OnnxOutputKind.Probabilities, "dann", "run-1");

    [Fact]
    public void FromProperties_WhatToPropertiesWrote_RoundTrips()
    {
        var properties = Sample.ToProperties().ToDictionary(p => p.Key, p => p.Value);

        OnnxModelMetadata read = OnnxModelMetadata.FromProperties(properties, "m.onnx");

        read.InputShape.Should().Equal(3L, 2L, 2L);
        read.ClassNames.Should().Equal("cat", "dog");
        read.Mean.Should().Equal(0.5, 0.25, 0.0);
        read.Std.Should().Equal(0.5, 0.25, 1.0);
        (read.Output, read.OutputName, read.Method, read.RunId).Should().Be((OnnxOutputKind.Probabilities, "probabilities", "dann", "run-1"));
    }

    [Fact]
    public void FromProperties_NotOurModel_NamesFileAndKey()
    {
        Action act = () => OnnxModelMetadata.FromProperties(new Dictionary<string, string>(), "/models/other.onnx");

        act.Should().Throw<InvalidDataException>().WithMessage("'/models/other.onnx' has no metadata entry 'domainadaptation.format'*");
    }

    [Fact]
    public void FromProperties_MalformedMean_NamesKeyAndPart()
    {
        var properties = Sample.ToProperties().ToDictionary(p => p.Key, p => p.Value);
        properties[OnnxModelMetadata.MeanKey] = "0.5,abc,0.1";

        Action act = () => OnnxModelMetadata.FromProperties(properties, "m.onnx");

        act.Should().Throw<InvalidDataException>().WithMessage("'m.onnx': metadata 'domainadaptation.normalisation_mean' must be comma-separated numbers, but part 2 is 'abc'.");
    }

    [Fact]
    public void FromProperties_MeanOfOtherChannelCount_SaysBoth()
    {
        var properties = Sample.ToProperties().ToDictionary(p => p.Key, p => p.Value);
        properties[OnnxModelMetadata.MeanKey] = "0.5";

        Action act = () => OnnxModelMetadata.FromProperties(properties, "m.onnx");

        act.Should().Throw<InvalidDataException>().WithMessage("*has 1 values, but the input has 3 channel(s).");
    }

    [Fact]
    public void Normalise_PerChannel_AppliesPixelScaleThenMeanAndStd()
    {
        byte[] pixels = [0, 255, 51, 102, /* green */ 0, 255, 51, 102, /* blue */ 0, 255, 51, 102];
        var input = new float[12];

        Sample.Normalise(pixels, input);

        input[..4].Should().Equal(-1f, 1f, (float)((0.2 - 0.5) / 0.5), (float)((0.4 - 0.5) / 0.5));
        input[4..8].Should().Equal(-1f, 3f, (float)((0.2 - 0.25) / 0.25), (float)((0.4 - 0.25) / 0.25));
        input[8..].Should().Equal(0f, 1f, 0.2f, 0.4f);
    }

    [Fact]
    public void Normalise_WrongLength_SaysTheShape()
    {
        Action act = () => Sample.Normalise(new byte[5], new float[12]);

        act.Should().Throw<ArgumentException>().WithMessage("An input holds 12 values (3×2×2), but 5 pixels and 12 outputs were given.*");
    }
}
