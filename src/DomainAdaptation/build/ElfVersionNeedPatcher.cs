// This file is compiled twice: into the DomainAdaptation library (Runtime namespace, public API,
// unit-tested) and, through MSBuild's RoslynCodeTaskFactory, into the build task that the package's
// buildTransitive targets run after a build or publish. Keep it dependency-free (BCL only).
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

#if DOMAINADAPTATION_LIBRARY
namespace DomainAdaptation.Runtime
#else
namespace DomainAdaptation.Build
#endif
{
    /// <summary>What <see cref="ElfVersionNeedPatcher.MarkVersionNeedWeak"/> did to a file.</summary>
    public enum ElfPatchOutcome
    {
        /// <summary>The version need was found and its <c>VER_FLG_WEAK</c> flag was set; the file was rewritten.</summary>
        Patched,
        /// <summary>The version need was already weak; the file was left untouched.</summary>
        AlreadyWeak,
        /// <summary>The file does not declare a need for that version; it was left untouched.</summary>
        VersionNotNeeded,
        /// <summary>The file is not a 64-bit little-endian ELF file; it was left untouched.</summary>
        NotElf,
        /// <summary>The file is an ELF file but is truncated or its tables point outside it; it was left untouched.</summary>
        Malformed,
    }

    /// <summary>The result of a patch attempt: what happened, and a sentence that says it.</summary>
    /// <remarks>A plain class rather than a record: this file also compiles inside MSBuild's inline task factory,
    /// whose reference set lacks the types records need.</remarks>
    public sealed class ElfPatchResult
    {
        /// <summary>Creates a result.</summary>
        /// <param name="outcome">What happened.</param>
        /// <param name="message">A human-readable sentence naming the file and what was (not) done.</param>
        /// <param name="flagOffset">The file offset of the <c>vna_flags</c> field that was (or would be) changed, or -1.</param>
        public ElfPatchResult(ElfPatchOutcome outcome, string message, long flagOffset)
        {
            Outcome = outcome;
            Message = message;
            FlagOffset = flagOffset;
        }

        /// <summary>What happened.</summary>
        public ElfPatchOutcome Outcome { get; }

        /// <summary>A human-readable sentence naming the file and what was (not) done.</summary>
        public string Message { get; }

        /// <summary>The file offset of the <c>vna_flags</c> field that was (or would be) changed, or -1.</summary>
        public long FlagOffset { get; }

        /// <inheritdoc />
        public override string ToString() => Outcome + ": " + Message;
    }

    /// <summary>
    /// Marks one symbol-version requirement of an ELF shared object as weak (<c>VER_FLG_WEAK</c>), so that the
    /// dynamic loader accepts a host library that lacks that version.
    /// </summary>
    /// <remarks>
    /// <para>
    /// TorchSharp 0.107's <c>libLibTorchSharp.so</c> is built with GCC 15 and declares a need for
    /// <c>GLIBCXX_3.4.32</c>, which Debian 12 and Ubuntu 22.04 do not have. The only symbol bound to that version is
    /// <c>_ZSt21ios_base_library_initv</c>, an unreferenced marker without relocations, so marking the need as weak is
    /// safe: the loader then only warns in debug mode instead of refusing the library.
    /// </para>
    /// <para>
    /// The patch walks the <c>SHT_GNU_verneed</c> (0x6ffffffe) section: a chain of <c>Elf64_Verneed</c> entries
    /// (16 bytes: vn_version, vn_cnt, vn_file, vn_aux, vn_next), each with a chain of <c>Elf64_Vernaux</c> entries
    /// (16 bytes: vna_hash, vna_flags, vna_other, vna_name, vna_next). Exactly one two-byte field changes:
    /// <c>vna_flags |= 0x2</c> of the entry whose name is the requested version. Every other byte stays as it was.
    /// </para>
    /// </remarks>
    public static class ElfVersionNeedPatcher
    {
        /// <summary>The version that TorchSharp 0.107 needs and older distributions lack.</summary>
        public const string Glibcxx3432 = "GLIBCXX_3.4.32";

        /// <summary><c>SHT_GNU_verneed</c>: the section type of the version-needs table.</summary>
        public const uint ShtGnuVerneed = 0x6ffffffe;

        /// <summary><c>VER_FLG_WEAK</c>: the flag that makes a version need optional.</summary>
        public const ushort VerFlagWeak = 0x2;

        /// <summary>
        /// Reads <paramref name="path"/>, and if it is a 64-bit little-endian ELF file declaring a need for
        /// <paramref name="version"/>, sets that need's weak flag and writes the file back atomically
        /// (a temporary file in the same folder, then a rename; a hard link to the original is broken, never written through).
        /// </summary>
        /// <param name="path">The shared object to patch.</param>
        /// <param name="version">The version name, e.g. <see cref="Glibcxx3432"/>.</param>
        /// <param name="dryRun">When true, report what would be done without writing.</param>
        /// <returns>What was done, with a message naming the file.</returns>
        /// <exception cref="ArgumentException">When <paramref name="path"/> or <paramref name="version"/> is empty.</exception>
        /// <exception cref="FileNotFoundException">When the file does not exist.</exception>
        public static ElfPatchResult MarkVersionNeedWeak(string path, string version = Glibcxx3432, bool dryRun = false)
        {
            if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException("A file path is required.", nameof(path));
            if (string.IsNullOrEmpty(version)) throw new ArgumentException("A version name is required.", nameof(version));
            if (!File.Exists(path)) throw new FileNotFoundException($"'{path}' does not exist.", path);

            byte[] bytes = File.ReadAllBytes(path);
            ElfPatchResult result = Analyse(bytes, path, version);
            if (result.Outcome != ElfPatchOutcome.Patched || dryRun)
            {
                return result;
            }

            ushort flags = ReadU16(bytes, result.FlagOffset);
            WriteU16(bytes, result.FlagOffset, (ushort)(flags | VerFlagWeak));

            DateTime lastWrite = File.GetLastWriteTimeUtc(path);
            string temp = path + ".dapatch-" + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp";
            try
            {
                File.WriteAllBytes(temp, bytes);
                // Keep the original timestamp so incremental builds see an unchanged file and do not copy it again.
                File.SetLastWriteTimeUtc(temp, lastWrite);
                // A rename: atomic, and it replaces a hard link instead of writing through it into the NuGet cache.
                File.Replace(temp, path, null);
            }
            finally
            {
                if (File.Exists(temp)) File.Delete(temp);
            }

            return result;
        }

        /// <summary>
        /// Inspects an in-memory ELF image without changing it.
        /// </summary>
        /// <param name="bytes">The whole file.</param>
        /// <param name="name">A name for messages (usually the path).</param>
        /// <param name="version">The version name to look for.</param>
        /// <returns><see cref="ElfPatchOutcome.Patched"/> with the offset to change when a patch is needed; otherwise why not.</returns>
        public static ElfPatchResult Analyse(byte[] bytes, string name, string version = Glibcxx3432)
        {
            if (bytes is null) throw new ArgumentNullException(nameof(bytes));
            if (bytes.Length < 4 || bytes[0] != 0x7f || bytes[1] != (byte)'E' || bytes[2] != (byte)'L' || bytes[3] != (byte)'F')
            {
                return new ElfPatchResult(ElfPatchOutcome.NotElf, $"'{name}' is not an ELF file (no \\x7fELF magic); left untouched.", -1);
            }

            if (bytes.Length < 64)
            {
                return Malformed(name, $"the ELF header needs 64 bytes but the file has {bytes.Length}");
            }

            if (bytes[4] != 2 || bytes[5] != 1)
            {
                return new ElfPatchResult(ElfPatchOutcome.NotElf, $"'{name}' is not a 64-bit little-endian ELF file (class {bytes[4]}, data {bytes[5]}); left untouched.", -1);
            }

            ulong shoff = ReadU64(bytes, 0x28);
            ushort shentsize = ReadU16(bytes, 0x3A);
            ushort shnum = ReadU16(bytes, 0x3C);
            if (shnum == 0 || shentsize < 64)
            {
                return Malformed(name, $"it has no usable section header table (e_shnum {shnum}, e_shentsize {shentsize})");
            }

            if (!Fits(bytes, shoff, (ulong)shnum * shentsize))
            {
                return Malformed(name, $"the section header table ({shnum} × {shentsize} bytes at offset {shoff}) lies outside the file of {bytes.Length} bytes; the file is probably truncated");
            }

            bool foundVerneed = false;
            for (int i = 0; i < shnum; i++)
            {
                long sh = (long)shoff + ((long)i * shentsize);
                if (ReadU32(bytes, sh + 4) != ShtGnuVerneed) continue;
                foundVerneed = true;

                ulong secOffset = ReadU64(bytes, sh + 0x18);
                ulong secSize = ReadU64(bytes, sh + 0x20);
                uint link = ReadU32(bytes, sh + 0x28);
                uint count = ReadU32(bytes, sh + 0x2C);
                if (!Fits(bytes, secOffset, secSize))
                {
                    return Malformed(name, $"the version-needs section (offset {secOffset}, {secSize} bytes) lies outside the file; the file is probably truncated");
                }

                if (link >= shnum)
                {
                    return Malformed(name, $"the version-needs section links to string table {link}, but there are only {shnum} sections");
                }

                long strSh = (long)shoff + ((long)link * shentsize);
                ulong strOffset = ReadU64(bytes, strSh + 0x18);
                ulong strSize = ReadU64(bytes, strSh + 0x20);
                if (!Fits(bytes, strOffset, strSize))
                {
                    return Malformed(name, $"the string table (offset {strOffset}, {strSize} bytes) lies outside the file; the file is probably truncated");
                }

                ulong entry = secOffset;
                for (uint n = 0; n < count; n++)
                {
                    if (!Fits(bytes, entry, 16) || entry + 16 > secOffset + secSize)
                    {
                        return Malformed(name, $"version-need entry {n} at offset {entry} lies outside its section");
                    }

                    ushort auxCount = ReadU16(bytes, (long)entry + 2);
                    uint auxOffset = ReadU32(bytes, (long)entry + 8);
                    uint next = ReadU32(bytes, (long)entry + 12);
                    ulong aux = entry + auxOffset;
                    for (int a = 0; a < auxCount; a++)
                    {
                        if (!Fits(bytes, aux, 16) || aux + 16 > secOffset + secSize)
                        {
                            return Malformed(name, $"version-need auxiliary entry at offset {aux} lies outside its section");
                        }

                        ushort flags = ReadU16(bytes, (long)aux + 4);
                        uint nameOffset = ReadU32(bytes, (long)aux + 8);
                        string? auxName = ReadCString(bytes, strOffset, strSize, nameOffset);
                        if (auxName is null)
                        {
                            return Malformed(name, $"a version name at string-table offset {nameOffset} lies outside the string table");
                        }

                        if (string.Equals(auxName, version, StringComparison.Ordinal))
                        {
                            long flagOffset = (long)aux + 4;
                            if ((flags & VerFlagWeak) != 0)
                            {
                                return new ElfPatchResult(ElfPatchOutcome.AlreadyWeak, $"'{name}': the need for {version} is already weak; left untouched.", flagOffset);
                            }

                            return new ElfPatchResult(ElfPatchOutcome.Patched, $"'{name}': marked the need for {version} as weak (VER_FLG_WEAK at offset 0x{flagOffset:x}).", flagOffset);
                        }

                        uint auxNext = ReadU32(bytes, (long)aux + 12);
                        if (auxNext == 0) break;
                        aux += auxNext;
                    }

                    if (next == 0) break;
                    entry += next;
                }
            }

            string why = foundVerneed ? $"it does not declare a need for {version}" : "it has no version-needs section";
            return new ElfPatchResult(ElfPatchOutcome.VersionNotNeeded, $"'{name}': {why}; left untouched.", -1);
        }

        /// <summary>
        /// Tells whether a shared library (typically the host's <c>libstdc++.so.6</c>) defines a symbol version,
        /// by looking for the NUL-terminated version name in the file.
        /// </summary>
        /// <param name="libraryPath">The library to inspect.</param>
        /// <param name="version">The version name.</param>
        /// <returns>True when the name occurs in the file.</returns>
        public static bool LibraryMentionsVersion(string libraryPath, string version = Glibcxx3432)
        {
            byte[] bytes = File.ReadAllBytes(libraryPath);
            byte[] needle = Encoding.ASCII.GetBytes(version + "\0");
            return IndexOf(bytes, needle) >= 0;
        }

        /// <summary>
        /// Finds the host's <c>libstdc++.so.6</c> in the usual library folders of Linux distributions.
        /// </summary>
        /// <returns>The first existing path, or null when none is found.</returns>
        public static string? FindHostLibStdCxx()
        {
            string[] candidates =
            {
                "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
                "/lib/x86_64-linux-gnu/libstdc++.so.6",
                "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
                "/lib/aarch64-linux-gnu/libstdc++.so.6",
                "/usr/lib64/libstdc++.so.6",
                "/lib64/libstdc++.so.6",
                "/usr/lib/libstdc++.so.6",
                "/lib/libstdc++.so.6",
            };
            foreach (string candidate in candidates)
            {
                if (File.Exists(candidate)) return candidate;
            }

            return null;
        }

        private static ElfPatchResult Malformed(string name, string why) =>
            new ElfPatchResult(ElfPatchOutcome.Malformed, $"'{name}' is an ELF file but {why}; left untouched.", -1);

        private static bool Fits(byte[] bytes, ulong offset, ulong length) =>
            offset <= (ulong)bytes.Length && length <= (ulong)bytes.Length - offset;

        private static ushort ReadU16(byte[] b, long o) => (ushort)(b[o] | (b[o + 1] << 8));

        private static void WriteU16(byte[] b, long o, ushort v)
        {
            b[o] = (byte)(v & 0xff);
            b[o + 1] = (byte)(v >> 8);
        }

        private static uint ReadU32(byte[] b, long o) => BitConverter.ToUInt32(b, (int)o);

        private static ulong ReadU64(byte[] b, long o) => BitConverter.ToUInt64(b, (int)o);

        private static string? ReadCString(byte[] b, ulong tableOffset, ulong tableSize, uint offset)
        {
            if (offset >= tableSize) return null;
            ulong start = tableOffset + offset;
            ulong end = start;
            ulong limit = tableOffset + tableSize;
            while (end < limit && b[end] != 0) end++;
            if (end >= limit) return null;
            return Encoding.ASCII.GetString(b, (int)start, (int)(end - start));
        }

        private static int IndexOf(byte[] haystack, byte[] needle)
        {
            int last = haystack.Length - needle.Length;
            for (int i = 0; i <= last; i++)
            {
                if (haystack[i] != needle[0]) continue;
                int j = 1;
                while (j < needle.Length && haystack[i + j] == needle[j]) j++;
                if (j == needle.Length) return i;
            }

            return -1;
        }
    }
#if !DOMAINADAPTATION_LIBRARY
    /// <summary>
    /// The MSBuild task behind <c>DomainAdaptation.targets</c>: finds every <c>libLibTorchSharp.so</c> below the given
    /// folders (the build or publish output, never the NuGet cache) and marks its need for <c>GLIBCXX_3.4.32</c> weak
    /// when the host's libstdc++ lacks that version.
    /// </summary>
    public sealed class PatchLibTorchSharp : Microsoft.Build.Utilities.Task
    {
        /// <summary>The output folders to search.</summary>
        [Microsoft.Build.Framework.Required]
        public string[] Directories { get; set; } = Array.Empty<string>();

        /// <summary>Patch even when the build host's libstdc++ has the version (the output will run on an older system).</summary>
        public bool Force { get; set; }

        /// <summary>The files that were patched in this run.</summary>
        [Microsoft.Build.Framework.Output]
        public string[] PatchedFiles { get; set; } = Array.Empty<string>();

        /// <inheritdoc />
        public override bool Execute()
        {
            var files = new List<string>();
            foreach (string dir in Directories)
            {
                if (string.IsNullOrEmpty(dir) || !Directory.Exists(dir)) continue;
                files.AddRange(Directory.GetFiles(Path.GetFullPath(dir), "libLibTorchSharp.so", SearchOption.AllDirectories));
            }

            if (files.Count == 0)
            {
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, "DomainAdaptation: no libLibTorchSharp.so in the output; nothing to patch.");
                return true;
            }

            if (!Force)
            {
                string? libstdcxx = ElfVersionNeedPatcher.FindHostLibStdCxx();
                if (libstdcxx != null && ElfVersionNeedPatcher.LibraryMentionsVersion(libstdcxx, ElfVersionNeedPatcher.Glibcxx3432))
                {
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, $"DomainAdaptation: {libstdcxx} provides {ElfVersionNeedPatcher.Glibcxx3432}; libLibTorchSharp.so needs no patch.");
                    return true;
                }
            }

            var patched = new List<ElfPatchResult>();
            var patchedFiles = new List<string>();
            foreach (string file in files)
            {
                ElfPatchResult result;
                try
                {
                    result = ElfVersionNeedPatcher.MarkVersionNeedWeak(file, ElfVersionNeedPatcher.Glibcxx3432);
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    Log.LogWarning(null, "DA0001", null, file, 0, 0, 0, 0,
                        "DomainAdaptation: could not patch '{0}' ({1}); TorchSharp will fail to load on this system. See docs/troubleshooting-linux.md.", file, ex.Message);
                    continue;
                }

                switch (result.Outcome)
                {
                    case ElfPatchOutcome.Patched:
                        patched.Add(result);
                        patchedFiles.Add(file);
                        break;
                    case ElfPatchOutcome.AlreadyWeak:
                    case ElfPatchOutcome.VersionNotNeeded:
                        Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, "DomainAdaptation: " + result.Message);
                        break;
                    default:
                        Log.LogWarning(null, "DA0002", null, file, 0, 0, 0, 0,
                            "DomainAdaptation: {0} TorchSharp will fail to load on this system if this is the copy it uses.", result.Message);
                        break;
                }
            }

            if (patched.Count > 0)
            {
                // One message per run, whatever the number of copies (a failed first load leaves a second one under cpu/).
                string why = Force ? "DomainAdaptationPatchLibTorchSharp=always, so " : "the host's libstdc++ lacks GLIBCXX_3.4.32, so ";
                string what = patched.Count == 1
                    ? patched[0].Message
                    : "marked the need for GLIBCXX_3.4.32 as weak in " + patched.Count + " copies of libLibTorchSharp.so: '" +
                      string.Join("', '", patchedFiles) + "'.";
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                    "DomainAdaptation: " + why + what + " TorchSharp now loads on this system. Set DomainAdaptationPatchLibTorchSharp=false to turn this off.");
            }

            PatchedFiles = patchedFiles.ToArray();
            return true;
        }
    }
#endif
}
