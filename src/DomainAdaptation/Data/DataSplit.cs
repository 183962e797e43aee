namespace DomainAdaptation.Data;

/// <summary>A split of a data set as its authors published it.</summary>
public enum DataSplit
{
    /// <summary>The training split (MNIST 60,000 images; MNIST-M 59,001: <c>mnist_m_train/</c>, <c>mnist_m_train_labels.txt</c>).</summary>
    Train,

    /// <summary>The test split (MNIST 10,000 images; MNIST-M 9,001: <c>mnist_m_test/</c>, <c>mnist_m_test_labels.txt</c>).</summary>
    Test,
}
