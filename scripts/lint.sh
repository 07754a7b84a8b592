#!/usr/bin/env bash
# ruff (lint + format check) on everything, mypy --strict on the core library and the services;
# for the dashboard: tsc (strict), ESLint, and the generated client against docs/openapi.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy mlaas services grafana/generate.py
bash scripts/dashboard.sh
(cd dashboard && npx tsc --noEmit -p . && npx eslint --max-warnings 0 . && node scripts/gen-client.mjs --check)
