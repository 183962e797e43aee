namespace DomainAdaptation.Methods;

/// <summary>Which halves of a batch a method needs passed through the model in the step's shared forward pass.</summary>
[Flags]
public enum ForwardNeeds
{
    /// <summary>No shared pass (the method runs its own).</summary>
    None = 0,

    /// <summary>The source half (labelled).</summary>
    Source = 1,

    /// <summary>The target half (unlabelled).</summary>
    Target = 2,

    /// <summary>Both halves: one joint pass or one per domain, as <see cref="Training.BatchNormMode"/> says.</summary>
    Both = Source | Target,
}
