namespace DomainAdaptation.Data.Download;

/// <summary>Where <see cref="DataSetResolver"/> found a file, in the order it looks.</summary>
public enum DataFileSource
{
    /// <summary>Under <see cref="DataSetResolverOptions.DataDirectory"/>, the explicit data folder.</summary>
    ExplicitDirectory = 0,

    /// <summary>Under the folder named by the <c>DOMAINADAPTATION_DATA</c> environment variable.</summary>
    EnvironmentDirectory = 1,

    /// <summary>In the user's cache folder, from an earlier download.</summary>
    Cache = 2,

    /// <summary>Downloaded now from a mirror into the cache folder.</summary>
    Downloaded = 3,
}
