using DomainAdaptation.Data;
using DomainAdaptation.Models;
using static TorchSharp.torch;

namespace DomainAdaptation.Methods;

/// <summary>
/// What a method learns about the run when the trainer prepares it (<see cref="AdaptationMethod.Initialize"/>): the
/// model and its sizes, the device and dtype, and a seed for the weights of the modules it creates.
/// </summary>
/// <param name="Model">The model being trained (on <paramref name="Device"/> in <paramref name="Dtype"/>).</param>
/// <param name="InputShape">The per-sample input shape.</param>
/// <param name="Features">F: the features the heads see are <c>[B, F]</c>.</param>
/// <param name="Classes">K: the number of classes.</param>
/// <param name="Device">The training device; created modules are moved there by the trainer.</param>
/// <param name="Dtype">The training dtype.</param>
/// <param name="Seed">A seed for the weights of modules the method creates (derived from the run's seed).</param>
public sealed record MethodSetup(AdaptationModel Model, SampleShape InputShape, long Features, int Classes, Device Device, ScalarType Dtype, long Seed);
