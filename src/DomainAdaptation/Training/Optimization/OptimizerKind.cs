namespace DomainAdaptation.Training.Optimization;

/// <summary>The optimizer the trainer creates.</summary>
public enum OptimizerKind
{
    /// <summary>Stochastic gradient descent with (heavy-ball) momentum, as in the paper.</summary>
    Sgd,

    /// <summary>Adam (Kingma &amp; Ba, 2015).</summary>
    Adam,
}
