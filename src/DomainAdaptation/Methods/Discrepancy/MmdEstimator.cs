namespace DomainAdaptation.Methods.Discrepancy;

/// <summary>How a maximum mean discrepancy is estimated from a batch of n source and n target samples (Gretton et al., JMLR 2012).</summary>
public enum MmdEstimator
{
    /// <summary>
    /// The unbiased quadratic-time U-statistic (Gretton et al. 2012, Lemma 6):
    /// <c>MMD²_u = 1/(n(n−1)) Σ_{i≠j} [k(s_i,s_j) + k(t_i,t_j) − k(s_i,t_j) − k(s_j,t_i)]</c>. Zero in expectation when the
    /// domains agree, exactly zero for identical sets, and can be negative. The default.
    /// </summary>
    Unbiased,

    /// <summary>
    /// The biased quadratic-time V-statistic (Gretton et al. 2012, Eq. 5): <c>MMD²_b = 1/n² Σ_{i,j} [k(s_i,s_j) + k(t_i,t_j) − 2 k(s_i,t_j)]</c>,
    /// never negative, zero for identical sets.
    /// </summary>
    Biased,

    /// <summary>
    /// The linear-time estimate over consecutive pairs (Gretton et al. 2012, §6; Long et al., DAN, ICML 2015, Eq. 5):
    /// <c>MMD²_l = 1/n Σ_i h(z_i, z_{i+1})</c> with <c>h = k(s_i,s_{i'}) + k(t_i,t_{i'}) − k(s_i,t_{i'}) − k(s_{i'},t_i)</c>,
    /// <c>i' = (i + 1) mod n</c> (Transfer-Learning-Library's pairing). Cheap, noisier, zero for identical sets.
    /// </summary>
    Linear,
}
