namespace DomainAdaptation.Methods;

/// <summary>
/// What the trainer gives a method for one step's updates: shared forward passes of the step's batch, and
/// <see cref="Minimize"/>, which checks a loss for NaN/∞, back-propagates it and steps optimizers. A loss method makes
/// one pass and one update; a step-owning method (MCD) may make several of each in one step.
/// </summary>
public abstract class StepUpdater
{
    /// <summary>A new forward pass of the step's batch through the model (the model is in training mode).</summary>
    /// <param name="needs">The halves to pass.</param>
    /// <returns>The pass; it runs when first read.</returns>
    public abstract StepForward Forward(ForwardNeeds needs);

    /// <summary>
    /// Minimises <c>Σ weight · term</c>: zeroes every gradient, checks each term and the total for NaN or ∞ (a
    /// <see cref="Training.TrainingDivergedException"/> before anything is updated), back-propagates the total, and
    /// steps the named optimizers (all of them when none are named).
    /// </summary>
    /// <param name="terms">The loss terms.</param>
    /// <param name="optimizers">The optimizers to step, by <see cref="OptimizerGroup.Name"/>.</param>
    public abstract void Minimize(LossTerms terms, params string[] optimizers);
}
