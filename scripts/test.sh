#!/usr/bin/env bash
# The whole test suite (unit, data, model, DAG and end-to-end) on the embedded defaults,
# plus the integration tests against PostgreSQL and Redis when they are reachable.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/pytest -q -p no:cacheprovider "$@"
