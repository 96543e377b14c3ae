#!/usr/bin/env bash
# Create .venv with Python >= 3.12 and install the project (add --dev for the test tools).
# Usage: bash setup.sh [--dev]
set -euo pipefail
cd "$(dirname "$0")"

find_python() {
    for candidate in python3.13 python3.12 python3 python; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    if command -v pyenv >/dev/null 2>&1; then
        for version in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.(1[2-9])' | sort -rV); do
            path="$(PYENV_VERSION="$version" pyenv which python 2>/dev/null || true)"
            if [ -n "$path" ]; then echo "$path"; return 0; fi
        done
    fi
    return 1
}

PYTHON="$(find_python)" || { echo "setup.sh: Python >= 3.12 is required (Mesa 3.5); none found" >&2; exit 1; }
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)'; then
    rm -rf .venv
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
extras=""
if [ "${1:-}" = "--dev" ]; then extras="[dev]"; fi
.venv/bin/python -m pip install --quiet -e ".${extras}" 2>&1 | grep -v "^WARNING: Location" || true
# Build the model's compiled kernels once, into numba's on-disk cache, so that the first run
# (and every later process) loads them instead of compiling: a one-off of about a minute.
echo "compiling the model's kernels once (about a minute on two cores; later runs reuse them)"
.venv/bin/python - <<'PY'
import time
start = time.perf_counter()
from sim.ensemble import run_one
from sim.scenario import load_scenario
run_one(load_scenario("full_2011_2025"), 0)  # the whole war reaches every kernel, the fall's too
print(f"compiled in {time.perf_counter() - start:.0f} s")
PY
.venv/bin/python -c 'import sim, mesa; print(f"ready: sim {sim.__version__}, mesa {mesa.__version__}")'
