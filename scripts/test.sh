#!/usr/bin/env bash
# The whole test suite (unit, data, model, DAG, integration and end-to-end) in parallel and in a
# random order: one pytest process per core (pytest-xdist, whole files per process) and the
# order shuffled by module and within each module (pytest-random-order). The seed is printed;
# MLAAS_TEST_SEED=<seed> repeats an order, MLAAS_TEST_WORKERS=0 runs in this one process.
# Arguments go on to pytest (e.g. `bash scripts/test.sh tests/mlaas -x`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
bash scripts/dashboard.sh  # its unit and browser tests run under pytest (tests/dashboard)
seed=${MLAAS_TEST_SEED:-$(( (RANDOM << 15 | RANDOM) % 1000000 + 1 ))}
workers=${MLAAS_TEST_WORKERS:-$(nproc)}
echo "[test] random order seed $seed (repeat it: MLAAS_TEST_SEED=$seed make test), $workers workers"
exec .venv/bin/pytest -q -p no:cacheprovider -ra \
  -n "$workers" --dist loadfile \
  --random-order-bucket=module --random-order-seed="$seed" \
  "$@"
