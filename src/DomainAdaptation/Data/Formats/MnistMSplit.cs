namespace DomainAdaptation.Data.Formats;

/// <summary>A split of the MNIST-M release.</summary>
public enum MnistMSplit
{
    /// <summary>59,001 training images (<c>mnist_m_train/</c>, <c>mnist_m_train_labels.txt</c>).</summary>
    Train,

    /// <summary>9,001 test images (<c>mnist_m_test/</c>, <c>mnist_m_test_labels.txt</c>).</summary>
    Test,
}
