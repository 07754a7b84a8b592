#!/usr/bin/env bash
# Re-resolve pyproject.toml (with the dev extra) into requirements.lock in a throw-away venv.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
python3.11 -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install -q --upgrade pip
"$tmp/venv/bin/pip" install -q ".[dev]"
{
  echo "# Exact versions of every package, resolved from pyproject.toml (+ the dev extra) with pip."
  echo "# Regenerate: bash scripts/lock.sh"
  "$tmp/venv/bin/pip" freeze --exclude-editable | grep -v '^mlaas'
} > requirements.lock
rm -rf "$tmp"
echo "requirements.lock: $(grep -vc '^#' requirements.lock) packages"
