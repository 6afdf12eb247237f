#!/usr/bin/env bash
# The GPU check of the performance work, in one prepared run of under 5 minutes, on Keras's JAX
# backend: the whole MNIST suite (twice: the second run is the one without first compiles),
# vs_plain.py, and the Keras loop's data paths and precisions (what keeping the data on the
# device, steps_per_execution and bfloat16 do there). Everything goes to one folder, $OUT
# (the device tool's) or results/perf/gpu.
#
# Made for a machine with JAX and CUDA but no TensorFlow, such as the device tool's H200, which
# reaches no package index. Before the run, on a machine that does, put the wheels it lacks in
# .whl/ and MNIST in data/mnist (python -m nnbench data fetch mnist), then carry both:
#
#   echo /.whl/ >> .git/info/exclude
#   python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 \
#       --implementation cp --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
#       -d .whl keras==3.15.1 namex optree pydantic pydantic-core annotated-types \
#       typing-inspection
#   device run: bash benchmarks/gpu.sh   (carry .whl and data/mnist; timeout_s 420)
#
# The L1 logit runs with the Keras-ops solver there (solver=fista): the other solvers are CPU
# code, and the CPU-only packages are not carried.
set -uo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-results/perf/gpu}"
mkdir -p "$out"
exec > >(tee "$out/gpu.log") 2>&1

if [ -d .whl ]; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
        --target /tmp/site .whl/*.whl || exit 2
    export PYTHONPATH="/tmp/site:$PWD"
else
    export PYTHONPATH="$PWD"
fi
export KERAS_BACKEND=jax PYTHONUNBUFFERED=1 XLA_PYTHON_CLIENT_PREALLOCATE=false
# JAX keeps what it compiles on disk, so that the second suite run compiles nothing
export JAX_COMPILATION_CACHE_DIR=/tmp/jax-cache JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS=0
export JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES=0
python3 - <<'EOF' || exit 2
import jax, keras
print("jax", jax.__version__, jax.devices(), "keras", keras.__version__, keras.backend.backend())
EOF
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv || true

suite() {  # the lecture's MNIST suite, the L1 logit with the Keras-ops solver
    local name=$1
    SECONDS=0
    python3 -m nnbench run --dataset mnist --model naive_bayes,dense_nn,cnn \
        --out "$out/$name" >"$out/$name.md"
    python3 -m nnbench run --dataset mnist --model lasso_logit --param solver=fista \
        --out "$out/$name-lasso" >"$out/$name-lasso.md"
    echo "suite $name: ${SECONDS} s of wall time" | tee -a "$out/summary.txt"
}
suite first    # includes every first compile
suite again    # the same cells again: the 20 s target excludes the first compiles

python3 benchmarks/vs_plain.py --models naive_bayes,dense_nn,cnn --out "$out"
python3 benchmarks/keras_paths.py --epochs 3 --chunks 1,10,100 \
    --precisions float32,mixed_bfloat16,mixed_float16 --out "$out"
echo "gpu.sh: done in ${SECONDS} s" | tee -a "$out/summary.txt"
