#!/usr/bin/env bash
# ruff (lint + format check) on everything, mypy --strict on the core library and the services.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy mlaas services
