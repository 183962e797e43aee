#!/usr/bin/env bash
# ONNX's own checker (Debian python3-onnx, onnx.checker with full shape inference) on the files DomainAdaptation.Onnx
# writes: every preset of the ONNX tests, and, given run folders, the sample's export of each. Not part of CI (it needs
# python3-onnx, installed here with apt-get when missing).
#
# Usage: eng/onnx-check.sh [RUN_FOLDER…]
set -euo pipefail
cd "$(dirname "$0")/.."
export DOMAINADAPTATION_DATA="${DOMAINADAPTATION_DATA:-$(pwd)/../shared/data}"
py=/usr/bin/python3
if ! "$py" -c "import onnx" 2>/dev/null; then
  echo "onnx-check: installing python3-onnx (Debian)"
  apt-get install -y python3-onnx >/dev/null
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "== exporting the presets (the ONNX tests, DOMAINADAPTATION_ONNX_OUT=$out)"
DOMAINADAPTATION_ONNX_OUT="$out" dotnet test tests/DomainAdaptation.Onnx.Tests -c Release --filter "FullyQualifiedName~Export_Preset" -v q --nologo | tail -1
for run in "$@"; do
  name=$(basename "$run")
  dotnet run --project samples/MnistToMnistM -c Release -- export --run "$run" --out "$out/run-$name.onnx" | tail -1
done
echo "== onnx.checker (onnx $("$py" -c 'import onnx; print(onnx.__version__)'))"
"$py" - "$out"/*.onnx <<'PY'
import sys, onnx
failed = 0
for path in sys.argv[1:]:
    model = onnx.load(path)
    try:
        onnx.checker.check_model(model, full_check=True)
        inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
        out = inferred.graph.output[0].type.tensor_type.shape.dim
        print(f"ok   {path.split('/')[-1]}: IR {model.ir_version}, opset {model.opset_import[0].version}, "
              f"{len(model.graph.node)} nodes, output [{', '.join(d.dim_param or str(d.dim_value) for d in out)}]")
    except Exception as e:
        failed += 1
        print(f"FAIL {path}: {e}")
sys.exit(1 if failed else 0)
PY
