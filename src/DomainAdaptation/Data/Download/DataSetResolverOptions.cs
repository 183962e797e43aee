namespace DomainAdaptation.Data.Download;

/// <summary>Options of <see cref="DataSetResolver"/>; validated by <see cref="DataSetResolverOptionsValidator"/>.</summary>
public sealed class DataSetResolverOptions
{
    /// <summary>
    /// The public mirrors used when <see cref="Mirrors"/> is empty. They serve the MNIST files only (as
    /// <c>&lt;base&gt;mnist/&lt;file&gt;.gz</c>): the MNIST-M release and the BSDS500 images have no public mirror in that
    /// layout, so they must be put in a data folder or served by a mirror of your own.
    /// </summary>
    public static IReadOnlyList<Uri> DefaultMirrors { get; } =
    [
        new("https://ossci-datasets.s3.amazonaws.com/"),
        new("https://storage.googleapis.com/cvdf-datasets/"),
        new("http://yann.lecun.com/exdb/"),
    ];

    /// <summary>The explicit data folder, searched first (a folder laid out like <c>mnist/…</c>, <c>mnist_m/…</c>); null for none. A folder that does not exist is an error, not a reason to look elsewhere.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>
    /// Where downloads are kept and searched third; null for the user's cache folder:
    /// <c>$XDG_CACHE_HOME/DomainAdaptation</c>, else <c>~/.cache/DomainAdaptation</c> (Linux, macOS), or
    /// <c>%LOCALAPPDATA%\DomainAdaptation</c> (Windows). See <see cref="DataSetResolver.DefaultCacheDirectory()"/>.
    /// </summary>
    public string? CacheDirectory { get; set; }

    /// <summary>When true, nothing is downloaded: a missing file is an error that lists every needed file and where to put it.</summary>
    public bool Offline { get; set; }

    /// <summary>
    /// Mirror base URLs, tried in order; a file's URL is the base plus its <see cref="DataFile.RelativePath"/>
    /// (e.g. <c>https://host/data/</c> + <c>mnist/train-images-idx3-ubyte.gz</c>). Empty (the default) means
    /// <see cref="DefaultMirrors"/>.
    /// </summary>
    public IList<Uri> Mirrors { get; set; } = [];

    /// <summary>Attempts per mirror for transient failures (connection errors, cut transfers, timeouts, 5xx, 408, 429). Default 3.</summary>
    public int MaxAttemptsPerMirror { get; set; } = 3;

    /// <summary>The wait before the second attempt; it doubles for each further attempt up to <see cref="MaxRetryDelay"/>. Default 1 s.</summary>
    public TimeSpan InitialRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between attempts. Default 30 s.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The time limit of one download attempt, headers and body. Default 10 minutes.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>When true (the default), files found on disk are checked against their SHA-256 before use.</summary>
    public bool VerifyExistingFiles { get; set; } = true;

    /// <summary>The largest download, and the largest decompressed content hashed, in bytes. Default 1 GiB.</summary>
    public long MaxDownloadBytes { get; set; } = 1L << 30;
}
