#!/usr/bin/env bash
# The main job, offline: brings the `local` stack's config up as a throw-away `demo` stack, bumps every rotation date,
# shows the preview a reviewer would read, applies it, and shows that a second `up` changes nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=engine.sh
source scripts/engine.sh
# Commands that run the program: `pulumi` itself under a normal install, else the same CLI with the program served
# inline (scripts/pulumi-inline.ts runs runProgram, the function index.ts runs).
if [[ $KEYSHIFT_ENGINE == host ]]; then
  echo "engine: $(pulumi version) with its Node.js language host ($(command -v pulumi)); pulumi up runs index.ts"
  program() { pulumi "$@"; }
else
  echo "engine: $(pulumi version) ($(command -v pulumi)) with no Node.js language host; the program runs inline through the Automation API"
  program() { node -r ts-node/register/transpile-only scripts/pulumi-inline.ts "$@"; }
fi
stack=demo
first=2026-09-01
bumped=2026-12-01
show() { pulumi stack output --json -s "$stack" | node scripts/show-rotation.js; }
keyshift() { node -r ts-node/register/transpile-only components/cli/keyshift.ts "$@"; }
# Names and digests of the rendered manifests, never their content: the Secret's holds a private key.
rendered() { echo "rendered manifests (sha256, first 12):"; (cd .keyshift && find rendered -type f | sort | while read -r f; do echo "  $(sha256sum "$f" | cut -c1-12)  $f"; done); }

pulumi stack rm --yes --force -s "$stack" >/dev/null 2>&1 || true
rm -rf .keyshift/rendered
grep -v "^encryptionsalt:" stacks/Pulumi.local.yaml > "stacks/Pulumi.$stack.yaml"
pulumi stack init "$stack" --non-interactive >/dev/null

echo "== 1. pulumi up with every rotatedDate at $first"
program up --yes --skip-preview --non-interactive --suppress-outputs -s "$stack" | sed -n '/^Resources:/,$p'
show
rendered

echo; echo "== 2. bump: every rotatedDate set to $bumped; the preview a reviewer reads"
sed -i "s/\"$first\"/\"$bumped\"/" "stacks/Pulumi.$stack.yaml"
program preview --non-interactive --suppress-outputs -s "$stack" | sed -n '/^Previewing/,$p'
echo; echo "== 2b. the same preview as keyshift review reads it (pulumi preview --json --show-sames | keyshift review)"
program preview --json --show-sames --non-interactive -s "$stack" | keyshift review - --max-age signer=90d,password=30d,token=30d,encryption=90d --now "$bumped" || true

echo; echo "== 3. pulumi up with the bump"
program up --yes --skip-preview --non-interactive --suppress-outputs -s "$stack" | sed -n '/^Resources:/,$p'
show
rendered

echo; echo "== 4. pulumi up again with the same config: nothing changes"
program up --yes --skip-preview --non-interactive --suppress-outputs -s "$stack" | sed -n '/^Resources:/,$p'

echo; echo "== 5. keyshift status of the stack (pulumi stack export | keyshift status)"
pulumi stack export -s "$stack" | keyshift status - --max-age signer=90d,password=30d,token=30d,encryption=90d --now "$bumped" || true

pulumi destroy --yes --non-interactive -s "$stack" >/dev/null
pulumi stack rm --yes -s "$stack" >/dev/null
rm -f "stacks/Pulumi.$stack.yaml"
echo; echo "demo stack destroyed; state was kept under .keyshift/state"

# With Kubernetes test binaries (kube-apiserver on PATH, or ../shared/kube), show a real API server using the keys.
if command -v kube-apiserver >/dev/null 2>&1 || [[ -x ../shared/kube/install.sh ]]; then
  echo; echo "== 6. a real kube-apiserver signing tokens with keyshift's keys through two rotations"
  npx ts-node --transpile-only scripts/cluster-demo.ts
fi
