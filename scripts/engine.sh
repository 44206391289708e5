# shellcheck shell=bash
# Makes a Pulumi engine available to this shell: `source scripts/engine.sh`.
#   1. a `pulumi` already on PATH (a normal install) is used as it is;
#   2. otherwise the offline engine kept in ../shared/engine (CLI, Node.js host, random, tls and kubernetes plugins),
#      unpacked once into $KEYSHIFT_ENGINE_HOME (default ~/.cache/keyshift-engine);
#   3. otherwise it stops with one line saying how to install Pulumi.
# It sets a local file backend under .keyshift/state and the passphrase secrets provider, unless already set, and
# never downloads anything.
keyshift_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ -n ${KEYSHIFT_USE_SHARED_ENGINE:-} ]] || ! command -v pulumi >/dev/null 2>&1; then
  if [[ -x $keyshift_root/../shared/engine/install.sh ]]; then
    keyshift_env=$("$keyshift_root/../shared/engine/install.sh") || { echo "keyshift: unpacking ../shared/engine failed" >&2; return 1 2>/dev/null || exit 1; }
    # shellcheck disable=SC1090
    source "$keyshift_env"
  else
    echo "keyshift: no Pulumi engine found: install Pulumi (https://www.pulumi.com/docs/iac/download-install/) or put the offline engine in ../shared/engine" >&2
    return 1 2>/dev/null || exit 1
  fi
fi
mkdir -p "$keyshift_root/.keyshift/state"
export PULUMI_BACKEND_URL=${PULUMI_BACKEND_URL:-file://$keyshift_root/.keyshift/state}
# A local demo passphrase; a real pipeline sets its own secret or uses a KMS secrets provider.
export PULUMI_CONFIG_PASSPHRASE=${PULUMI_CONFIG_PASSPHRASE-keyshift-local-demo}
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=true
