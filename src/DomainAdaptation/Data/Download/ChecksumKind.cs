namespace DomainAdaptation.Data.Download;

/// <summary>What a <see cref="DataFile"/>'s SHA-256 covers.</summary>
public enum ChecksumKind
{
    /// <summary>The SHA-256 of the file's bytes as stored.</summary>
    FileSha256 = 0,

    /// <summary>
    /// The SHA-256 of the content: the decompressed bytes when the file is gzip-compressed (starts with 1F 8B), else the
    /// file's bytes. Used for MNIST, whose <c>.gz</c> bytes differ between mirrors (re-compressed) while the content
    /// is identical; an uncompressed copy of the same content is accepted too.
    /// </summary>
    ContentSha256 = 1,
}
