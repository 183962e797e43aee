using DomainAdaptation.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Models;

public static partial class ModelPresets
{
    /// <summary>
    /// The shallow network of the paper's toy experiment (Ganin et al., JMLR 2016, §4.1 Algorithm 1 and §5.1.1,
    /// inter-twinning moons; the authors' code GRAAL-Research/domain_adversarial_neural_network, <c>DANN.py</c> and
    /// <c>experiments_moons.py</c>): one hidden layer of 15 sigmoid units shared by a softmax label classifier and a
    /// logistic domain regressor.
    /// </summary>
    /// <remarks>
    /// <para>Feature extractor: <c>fc1</c> inputs→hidden → sigmoid (<c>G_f(x) = sigm(Wx + b)</c>). F = hidden.</para>
    /// <para>Label classifier: <c>fc1</c> hidden→classes (<c>G_y = softmax(V G_f + c)</c>; logits here).</para>
    /// <para>Domain classifier: <c>fc1</c> hidden→1 (<c>G_d = sigm(uᵀ G_f + z)</c>; one logit here), or hidden→2.</para>
    /// <para>The authors trained it with plain SGD, one example per step, learning rate 0.05, λ = 6, 500 passes over
    /// 150 + 150 points. Their initialisation differs from TorchSharp's default used here: weights uniform in
    /// ±√(6 / (fan_in + fan_out)), zero biases, and a zero domain regressor.</para>
    /// </remarks>
    /// <param name="inputs">The input vector length (2 for the moons); positive.</param>
    /// <param name="hidden">The hidden layer size (paper: 15); positive.</param>
    /// <param name="classes">The number of classes (moons: 2); at least 2.</param>
    /// <param name="binaryDomain">True for one domain logit (the paper's logistic regressor), false for two classes.</param>
    /// <param name="activation">The hidden non-linearity (paper: sigmoid).</param>
    /// <param name="seed">The seed for the weights, or null to draw from torch's global generator (see <see cref="ModelPresets"/>).</param>
    /// <returns>A builder with the three parts, the input shape (inputs) and F = hidden set.</returns>
    /// <exception cref="ArgumentOutOfRangeException">When a size is not positive or <paramref name="classes"/> &lt; 2.</exception>
    public static AdaptationModelBuilder Mlp(
        int inputs,
        int hidden = 15,
        int classes = 2,
        bool binaryDomain = true,
        HiddenActivation activation = HiddenActivation.Sigmoid,
        long? seed = null)
    {
        if (inputs <= 0) throw new ArgumentOutOfRangeException(nameof(inputs), inputs, "The input size must be positive.");
        if (hidden <= 0) throw new ArgumentOutOfRangeException(nameof(hidden), hidden, "The hidden layer size must be positive.");
        CheckClasses(classes);

        return Assemble(SampleShape.Vector(inputs), hidden, SeededInitialization.Run(seed, () =>
        {
            nn.Module<Tensor, Tensor> featureExtractor = nn.Sequential(
                ("fc1", nn.Linear(inputs, hidden)),
                Heads.Activation(activation, "1"));
            nn.Module<Tensor, Tensor> labelClassifier = Heads.Linear(hidden, classes);
            nn.Module<Tensor, Tensor> domainClassifier = Heads.Linear(hidden, DomainOutputs(binaryDomain));
            return (featureExtractor, labelClassifier, domainClassifier);
        }));
    }
}
