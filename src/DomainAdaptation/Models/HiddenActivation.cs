namespace DomainAdaptation.Models;

/// <summary>The non-linearity after each hidden layer of a head built by <see cref="Heads.Mlp"/>.</summary>
public enum HiddenActivation
{
    /// <summary><c>max(0, x)</c>, used by the paper's convolutional networks.</summary>
    Relu,

    /// <summary><c>1 / (1 + e^(−x))</c>, used by the paper's shallow network (JMLR 2016, §4.1 and §5.1).</summary>
    Sigmoid,

    /// <summary><c>tanh(x)</c>.</summary>
    Tanh,
}
