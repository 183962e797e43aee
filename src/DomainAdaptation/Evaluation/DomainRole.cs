namespace DomainAdaptation.Evaluation;

/// <summary>Which side of the adaptation a set of samples is; the value is the domain classifier's label.</summary>
public enum DomainRole
{
    /// <summary>The labelled source domain (domain label 0).</summary>
    Source = 0,

    /// <summary>The target domain (domain label 1).</summary>
    Target = 1,
}
