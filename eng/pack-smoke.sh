#!/usr/bin/env bash
# Packs DomainAdaptation and checks it the way a user meets it:
#   1. `dotnet pack` gives DomainAdaptation.<version>.nupkg + .snupkg with the README, the XML docs, the
#      build/ and buildTransitive/ targets, and exactly three dependencies (TorchSharp and two abstractions);
#   1b. DomainAdaptation.Onnx packs too, depending on DomainAdaptation and Google.Protobuf only (protoc is build-time);
#       DomainAdaptation.PyTorch on DomainAdaptation and TorchSharp.PyBridge only;
#   2. a throwaway console project that references the nupkgs plus libtorch-cpu-linux-x64 builds, prints the one
#      patch message (on hosts whose libstdc++ lacks GLIBCXX_3.4.32), initialises torch with no manual step and
#      exports a small model to ONNX;
#   3. `dotnet publish -r linux-x64` patches the copy in the publish folder, and the published app runs;
#   4. the NuGet cache's libLibTorchSharp.so is unchanged.
# Offline: every package except DomainAdaptation comes from the global packages folder that the repository's own
# restore filled. The packed package goes to a private packages folder, so a stale 0.1.0 is never picked up.
# Usage: eng/pack-smoke.sh            (from anywhere; Linux x64 only)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

if [ "$(uname -s)" != "Linux" ] || [ "$(uname -m)" != "x86_64" ]; then
  echo "pack-smoke: skipped (needs Linux x64; this is $(uname -s) $(uname -m))"
  exit 0
fi

t0=$(date +%s)
phase_start=$t0
phase() { local now; now=$(date +%s); echo "pack-smoke: [$(( now - phase_start )) s] $1"; phase_start=$now; }
fail() { echo "pack-smoke: FAILED: $1" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/da-pack-smoke.XXXXXX")
trap 'rm -rf "$work"' EXIT
feed="$work/feed"
app="$work/app"
mkdir -p "$feed" "$app"

global=$(dotnet nuget locals global-packages --list | sed -E 's/^global-packages: //')
global=${global%/}
version=$(sed -nE 's:.*<Version>([^<]+)</Version>.*:\1:p' Directory.Build.props | head -n1)
torchsharp_version=$(sed -nE 's:.*PackageVersion Include="TorchSharp" Version="([^"]+)".*:\1:p' Directory.Packages.props)
libtorch_version=$(sed -nE 's:.*PackageVersion Include="libtorch-cpu-linux-x64" Version="([^"]+)".*:\1:p' Directory.Packages.props)
original="$global/torchsharp/$torchsharp_version/runtimes/linux-x64/native/libLibTorchSharp.so"
[ -f "$original" ] || fail "'$original' is missing: run 'dotnet restore DomainAdaptation.sln' first."
original_sha=$(sha256sum "$original" | cut -d' ' -f1)

# ---- 1. pack --------------------------------------------------------------------------------------------
dotnet pack src/DomainAdaptation -c Release -o "$feed" --nologo -v q >"$work/pack.log" 2>&1 || { cat "$work/pack.log"; fail "dotnet pack"; }
nupkg="$feed/DomainAdaptation.$version.nupkg"
snupkg="$feed/DomainAdaptation.$version.snupkg"
[ -f "$nupkg" ] || fail "$nupkg was not produced"
[ -f "$snupkg" ] || fail "$snupkg was not produced"

zip_list() { python3 -c 'import sys, zipfile; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' "$1"; }
zip_cat() { python3 -c 'import sys, zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode("utf-8-sig"))' "$1" "$2"; }

entries=$(zip_list "$nupkg")
for expected in README.md lib/net10.0/DomainAdaptation.dll lib/net10.0/DomainAdaptation.xml \
  build/DomainAdaptation.targets build/ElfVersionNeedPatcher.cs \
  buildTransitive/DomainAdaptation.targets buildTransitive/ElfVersionNeedPatcher.cs; do
  grep -qxF "$expected" <<<"$entries" || fail "$nupkg lacks $expected"
done
grep -qxF lib/net10.0/DomainAdaptation.pdb <<<"$(zip_list "$snupkg")" || fail "$snupkg lacks lib/net10.0/DomainAdaptation.pdb"
deps=$(zip_cat "$nupkg" DomainAdaptation.nuspec | sed -nE 's:.*<dependency id="([^"]+)".*:\1:p' | sort | tr '\n' ' ')
[ "$deps" = "Microsoft.Extensions.Logging.Abstractions Microsoft.Extensions.Options TorchSharp " ] ||
  fail "the package's dependencies are '$deps'; expected only TorchSharp, Microsoft.Extensions.Options, Microsoft.Extensions.Logging.Abstractions"
phase "packed $(basename "$nupkg") ($(stat -c %s "$nupkg") bytes) + $(basename "$snupkg"); README, XML docs, build/ and buildTransitive/ inside; dependencies: ${deps% }"

dotnet pack src/DomainAdaptation.Onnx -c Release -o "$feed" --nologo -v q >"$work/pack-onnx.log" 2>&1 || { cat "$work/pack-onnx.log"; fail "dotnet pack DomainAdaptation.Onnx"; }
onnx_nupkg="$feed/DomainAdaptation.Onnx.$version.nupkg"
[ -f "$onnx_nupkg" ] || fail "$onnx_nupkg was not produced"
grep -qxF lib/net10.0/DomainAdaptation.Onnx.xml <<<"$(zip_list "$onnx_nupkg")" || fail "$onnx_nupkg lacks its XML docs"
onnx_deps=$(zip_cat "$onnx_nupkg" DomainAdaptation.Onnx.nuspec | sed -nE 's:.*<dependency id="([^"]+)".*:\1:p' | sort | tr '\n' ' ')
[ "$onnx_deps" = "DomainAdaptation Google.Protobuf " ] || fail "DomainAdaptation.Onnx depends on '$onnx_deps'; expected DomainAdaptation and Google.Protobuf only"
phase "packed $(basename "$onnx_nupkg"); dependencies: ${onnx_deps% }"
dotnet pack src/DomainAdaptation.PyTorch -c Release -o "$feed" --nologo -v q >"$work/pack-pytorch.log" 2>&1 || { cat "$work/pack-pytorch.log"; fail "dotnet pack DomainAdaptation.PyTorch"; }
pytorch_nupkg="$feed/DomainAdaptation.PyTorch.$version.nupkg"
[ -f "$pytorch_nupkg" ] || fail "$pytorch_nupkg was not produced"
pytorch_deps=$(zip_cat "$pytorch_nupkg" DomainAdaptation.PyTorch.nuspec | sed -nE 's:.*<dependency id="([^"]+)".*:\1:p' | sort | tr '\n' ' ')
[ "$pytorch_deps" = "DomainAdaptation TorchSharp.PyBridge " ] || fail "DomainAdaptation.PyTorch depends on '$pytorch_deps'; expected DomainAdaptation and TorchSharp.PyBridge only"
phase "packed $(basename "$pytorch_nupkg"); dependencies: ${pytorch_deps% }"

# ---- 2. consumer build and run ------------------------------------------------------------------------------
cat >"$app/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <config><add key="globalPackagesFolder" value="$work/packages" /></config>
  <fallbackPackageFolders><clear /><add key="global" value="$global" /></fallbackPackageFolders>
  <packageSources><clear /><add key="smoke" value="$feed" /></packageSources>
</configuration>
EOF
cat >"$app/SmokeApp.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="DomainAdaptation" Version="$version" />
    <PackageReference Include="DomainAdaptation.Onnx" Version="$version" />
    <PackageReference Include="libtorch-cpu-linux-x64" Version="$libtorch_version" />
  </ItemGroup>
</Project>
EOF
cat >"$app/Program.cs" <<'EOF'
using DomainAdaptation;
using DomainAdaptation.Runtime;
using static TorchSharp.torch;

TorchRuntime.EnsureInitialized(); // throws TorchSharpLoadException with the cause and the fix if torch cannot load
var x = ones(2).requires_grad_();
x.ReverseGradient(0.5).sum().backward();
Console.WriteLine($"torch.ones(2).sum() = {ones(2).sum().item<float>()}; GRL(0.5) gradient = [{string.Join(", ", x.grad!.data<float>().ToArray())}]");
var model = new DomainAdaptation.Models.AdaptationModel(nn.Sequential(("fc", nn.Linear(4, 8)), ("relu", nn.ReLU())), nn.Linear(8, 3));
var onnx = DomainAdaptation.Onnx.OnnxExporter.Export(model, new MemoryStream(), new DomainAdaptation.Onnx.OnnxExportOptions { InputShape = DomainAdaptation.Data.SampleShape.Vector(4) });
Console.WriteLine($"ONNX: {onnx.NodeCount} nodes, {onnx.ClassCount} classes, opset {onnx.Opset}");
EOF
expected_output="torch.ones(2).sum() = 2; GRL(0.5) gradient = [-0.5, -0.5]
ONNX: 3 nodes, 3 classes, opset 17"

libstdcxx=""
for candidate in /usr/lib/x86_64-linux-gnu/libstdc++.so.6 /lib/x86_64-linux-gnu/libstdc++.so.6 /usr/lib64/libstdc++.so.6; do
  if [ -f "$candidate" ]; then libstdcxx=$candidate; break; fi
done
needs_patch=yes
if [ -n "$libstdcxx" ] && grep -qaF 'GLIBCXX_3.4.32' "$libstdcxx"; then needs_patch=no; fi

check_patch_messages() { # log, folder, phase name
  local count
  count=$(grep -c "DomainAdaptation: .*marked the need for GLIBCXX_3.4.32 as weak" "$1" || true)
  if [ "$needs_patch" = yes ]; then
    [ "$count" = 1 ] || { cat "$1"; fail "$3: expected exactly one patch message, saw $count"; }
    grep -q "DomainAdaptation: .*'$2" "$1" || { cat "$1"; fail "$3: the patch message does not name a file under $2"; }
  else
    [ "$count" = 0 ] || { cat "$1"; fail "$3: the host has GLIBCXX_3.4.32, yet the build patched"; }
  fi
}

check_weak() { # library
  if command -v readelf >/dev/null 2>&1 && [ "$needs_patch" = yes ]; then
    grep -q "Name: GLIBCXX_3.4.32  Flags: WEAK" <<<"$(readelf -V "$1")" || fail "readelf does not show the weak flag in $1"
  fi
}

(cd "$app" && dotnet build -c Release --nologo >"$work/build.log" 2>&1) || { cat "$work/build.log"; fail "the consumer does not build"; }
check_patch_messages "$work/build.log" "$app/bin/" "build"
lib="$app/bin/Release/net10.0/runtimes/linux-x64/native/libLibTorchSharp.so"
[ -f "$lib" ] || fail "$lib is missing from the build output"
check_weak "$lib"
output=$(dotnet "$app/bin/Release/net10.0/SmokeApp.dll")
[ "$output" = "$expected_output" ] || fail "the consumer printed '$output', expected '$expected_output'"
phase "consumer (DomainAdaptation $version, DomainAdaptation.Onnx $version + libtorch-cpu-linux-x64 $libtorch_version) built; patch needed: $needs_patch; ran: ${output//$'\n'/; }"

(cd "$app" && dotnet build -c Release --nologo --no-restore >"$work/build2.log" 2>&1) || { cat "$work/build2.log"; fail "the incremental build failed"; }
count=$(grep -c "marked the need" "$work/build2.log" || true)
[ "$count" = 0 ] || fail "the incremental build patched again ($count messages); the patch must be idempotent and quiet"
[ "$(dotnet "$app/bin/Release/net10.0/SmokeApp.dll")" = "$expected_output" ] || fail "the consumer fails after an incremental build"
phase "incremental build: no second patch, still runs"

# ---- 3. publish ---------------------------------------------------------------------------------------------
(cd "$app" && dotnet publish -c Release -r linux-x64 --self-contained false -o "$work/publish" --nologo >"$work/publish.log" 2>&1) ||
  { cat "$work/publish.log"; fail "dotnet publish"; }
grep -F "$work/publish/" "$work/publish.log" >"$work/publish-patch.log" || true
check_patch_messages "$work/publish-patch.log" "$work/publish/" "publish"
check_weak "$work/publish/libLibTorchSharp.so"
output=$("$work/publish/SmokeApp")
[ "$output" = "$expected_output" ] || fail "the published app printed '$output', expected '$expected_output'"
phase "publish -r linux-x64: publish folder patched; published app ran"

# ---- 4. the NuGet cache is untouched ------------------------------------------------------------------------
[ "$(sha256sum "$original" | cut -d' ' -f1)" = "$original_sha" ] || fail "the NuGet cache's $original changed"
phase "NuGet cache copy of libLibTorchSharp.so unchanged (sha256 $original_sha)"

echo "pack-smoke: OK in $(( $(date +%s) - t0 )) s"
