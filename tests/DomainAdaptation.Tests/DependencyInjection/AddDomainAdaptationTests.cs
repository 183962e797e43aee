using DomainAdaptation.Tests.TestSupport;
using DomainAdaptation.Training;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DomainAdaptation.Tests.DependencyInjection;

[Collection(TorchSerial.Name)]
public class AddDomainAdaptationTests
{
    [Fact]
    public void AddDomainAdaptation_ValidOptions_ResolvesFactoryThatBuildsConfiguredTrainer()
    {
        using ServiceProvider services = new ServiceCollection()
            .AddDomainAdaptation(o => (o.Steps, o.BatchSizePerDomain, o.Seed, o.Optimizer.LearningRate) = (3, 4, 11, 0.05))
            .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var factory = services.GetRequiredService<IAdaptationTrainerFactory>();
        using var data = SyntheticData.Blobs(12, 12, features: 3, classes: 2, seed: 1);
        TestNet net = TestModels.Mlp(3, 4, 2, seed: 1);
        using AdaptationTrainer trainer = factory.Create(net, data, net.Dann());

        trainer.TotalSteps.Should().Be(3);
        trainer.Options.BatchSizePerDomain.Should().Be(4);
        trainer.Options.Seed.Should().Be(11);
        services.GetRequiredService<IOptions<AdaptationTrainerOptions>>().Value.Optimizer.LearningRate.Should().Be(0.05);
        trainer.Train().StepsCompleted.Should().Be(3);
    }

    [Fact]
    public void AddDomainAdaptation_InvalidOptions_ThrowOptionsValidationExceptionNamingTheOption()
    {
        using ServiceProvider services = new ServiceCollection()
            .AddDomainAdaptation(o => (o.Steps, o.Optimizer.Momentum) = (10, 1.5))
            .BuildServiceProvider();

        var factory = services.GetRequiredService<IAdaptationTrainerFactory>();
        var act = () => factory.Options;

        act.Should().Throw<OptionsValidationException>().Which.Failures.Should().Equal("AdaptationTrainerOptions.Optimizer.Momentum must be in [0, 1), but was 1.5.");
    }

    [Fact]
    public void Create_ConfigureMakesOptionsInvalid_ThrowsOptionsValidationException()
    {
        using ServiceProvider services = new ServiceCollection().AddDomainAdaptation(o => o.Steps = 10).BuildServiceProvider();
        using var data = SyntheticData.Blobs(12, 12, features: 3, classes: 2, seed: 1);

        TestNet net = TestModels.Mlp(3, 4, 2, seed: 1);
        var act = () => services.GetRequiredService<IAdaptationTrainerFactory>().Create(net, data, net.Dann(), configure: o => o.BatchSizePerDomain = 0);

        act.Should().Throw<OptionsValidationException>().WithMessage("*AdaptationTrainerOptions.BatchSizePerDomain must be in [1, 65536], but was 0.*");
    }

    [Fact]
    public void AddDomainAdaptation_CalledTwice_RegistersOneValidatorAndOneFactory()
    {
        var services = new ServiceCollection().AddDomainAdaptation(o => o.Steps = 1).AddDomainAdaptation(o => o.Seed = 4);

        services.Count(d => d.ServiceType == typeof(IValidateOptions<AdaptationTrainerOptions>)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(IAdaptationTrainerFactory)).Should().Be(1);
        using ServiceProvider provider = services.BuildServiceProvider();
        provider.GetRequiredService<IOptions<AdaptationTrainerOptions>>().Value.Should().Match<AdaptationTrainerOptions>(o => o.Steps == 1 && o.Seed == 4);
    }

    [Fact]
    public void Factory_WithLoggerFactory_TrainerLogsThroughIt()
    {
        var provider = new ListLoggerProvider();
        using ServiceProvider services = new ServiceCollection()
            .AddSingleton<ILoggerFactory>(provider)
            .AddDomainAdaptation(o => (o.Steps, o.Monitoring.LogInterval) = (2, 1))
            .BuildServiceProvider();
        using var data = SyntheticData.Blobs(12, 12, features: 3, classes: 2, seed: 1);

        TestNet net = TestModels.Mlp(3, 4, 2, seed: 1);
        using (AdaptationTrainer trainer = services.GetRequiredService<IAdaptationTrainerFactory>().Create(net, data, net.Dann()))
        {
            trainer.Train();
        }

        provider.Messages.Should().Contain(m => m.StartsWith("Training DANN (λ:", StringComparison.Ordinal) && m.Contains(" on blobs", StringComparison.Ordinal));
        provider.Messages.Should().Contain(m => m.StartsWith("Step 2/2: label loss ", StringComparison.Ordinal) && m.Contains("domain loss", StringComparison.Ordinal) && m.Contains("lambda", StringComparison.Ordinal));
        provider.Messages.Should().Contain(m => m.StartsWith("Evaluation at step 2: source acc", StringComparison.Ordinal));
    }
}
