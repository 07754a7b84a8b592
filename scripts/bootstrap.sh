#!/usr/bin/env bash
# Create .venv and install the platform from requirements.lock (reproducible; a no-op when current).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
  echo "[bootstrap] creating .venv with $($PYTHON --version)"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.mlaas-lock.sha256
want=$(sha256sum requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "[bootstrap] installing locked dependencies (first time: ~2 minutes)"
  .venv/bin/pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/pip install -q --disable-pip-version-check -r requirements.lock
  .venv/bin/pip install -q --disable-pip-version-check --no-deps -e .
  echo "$want" > "$stamp"
fi

# The offline Kubernetes checks' tools (kubernetes-validate, checkov) in a venv of their own.
infra_stamp=.venv-infra/.mlaas-lock.sha256
infra_want=$(sha256sum infra/k8s/tools.lock | cut -d' ' -f1)
if [ "$(cat "$infra_stamp" 2>/dev/null)" != "$infra_want" ]; then
  echo "[bootstrap] installing the Kubernetes check tools into .venv-infra"
  [ -x .venv-infra/bin/python ] || "$PYTHON" -m venv .venv-infra
  .venv-infra/bin/pip install -q --disable-pip-version-check -r infra/k8s/tools.lock
  echo "$infra_want" > "$infra_stamp"
fi
