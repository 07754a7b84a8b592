#!/usr/bin/env bash
# Build the web dashboard when its build is missing or stale: `npm ci` from the committed lock
# file when node_modules does not match it, `vite build` when a source is newer than the build.
# Needs Node 20 (>= 20.19) and npm; `mlaas up` serves dashboard/dist (see mlaas/up.py).
set -euo pipefail
cd "$(dirname "$0")/../dashboard"
if ! command -v node >/dev/null; then
  echo "[dashboard] Node.js 20 is not installed: the platform starts without its dashboard" >&2
  exit 0
fi
stamp=node_modules/.mlaas-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "[dashboard] installing packages from package-lock.json (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi
if [ ! -f dist/index.html ] || [ -n "$(find src index.html vite.config.ts package-lock.json -newer dist/index.html -print -quit)" ]; then
  echo "[dashboard] building (vite build)"
  npx vite build --logLevel warn
fi
