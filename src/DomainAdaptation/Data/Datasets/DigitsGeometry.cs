namespace DomainAdaptation.Data.Datasets;

/// <summary>How MNIST (28×28 grey) and MNIST-M (32×32 RGB) are brought to one sample shape.</summary>
public enum DigitsGeometry
{
    /// <summary>MNIST is made RGB (grey repeated) and padded by 2 zero pixels to 32×32; MNIST-M stays as released. Shape 3×32×32.</summary>
    Rgb32,

    /// <summary>MNIST is made RGB at 28×28; MNIST-M is resized 32 → 28 (bilinear). Shape 3×28×28, the paper's MNIST architecture input.</summary>
    Rgb28,
}
