using BenchmarkDotNet.Running;
using DomainAdaptation.Benchmarks.Micro;

// Always in-process: the benchmarks need the patched libLibTorchSharp.so in this output folder, which a separately
// generated BenchmarkDotNet project would not have. "--inProcess" applies to every job, including one chosen with --job.
string[] arguments = args.Contains("--inProcess", StringComparer.OrdinalIgnoreCase) ? args : [.. args, "--inProcess"];
BenchmarkSwitcher.FromAssembly(typeof(GradientReversalBenchmarks).Assembly).Run(arguments, new MicroConfig());
