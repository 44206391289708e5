# shellcheck shell=bash
# Makes a Pulumi engine available to this shell: `source scripts/engine.sh`.
#   1. a `pulumi` already on PATH (a normal install) is used as it is;
#   2. otherwise the offline engine kept in ../shared/engine (the CLI, the dynamic-provider launcher and the random,
#      tls and kubernetes plugins), unpacked once into $KEYSHIFT_ENGINE_HOME (default ~/.cache/keyshift-engine);
#   3. otherwise it stops with one line saying how to install Pulumi.
# It sets KEYSHIFT_ENGINE to how programs run: `host` when the Node.js language host (pulumi-language-nodejs) is
# there, so `pulumi up` runs index.ts as usual; `inline` when it is not, so programs run in-process through the
# Automation API (scripts/pulumi-inline.ts). It sets a local file backend under .keyshift/state and the passphrase
# secrets provider, unless already set. Each thing that is missing is named in one line.
keyshift_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
keyshift_fail() { echo "keyshift: $*" >&2; return 1; }

keyshift_engine_setup() {
  if [[ -n ${KEYSHIFT_USE_SHARED_ENGINE:-} ]] || ! command -v pulumi >/dev/null 2>&1; then
    [[ -x $keyshift_root/../shared/engine/install.sh ]] ||
      keyshift_fail "no Pulumi CLI: install Pulumi (https://www.pulumi.com/docs/iac/download-install/) or put the offline engine in ../shared/engine" || return 1
    local env_file
    env_file=$("$keyshift_root/../shared/engine/install.sh") || keyshift_fail "unpacking ../shared/engine failed" || return 1
    # shellcheck disable=SC1090
    source "$env_file"
  fi
  local cli
  cli=$(command -v pulumi) || keyshift_fail "no Pulumi CLI on PATH after setting up the engine" || return 1
  command -v pulumi-resource-pulumi-nodejs >/dev/null 2>&1 ||
    [[ -x $(dirname "$cli")/pulumi-resource-pulumi-nodejs ]] ||
    keyshift_fail "the dynamic-provider launcher pulumi-resource-pulumi-nodejs is not beside $cli or on PATH (every Pulumi install ships it)" || return 1

  # With plugin downloads off, each provider plugin the npm packages ask for must already be in the plugin cache.
  if [[ ${PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION:-} == true ]]; then
    local name version
    for name in random tls kubernetes; do
      version=$(node -p "require('$keyshift_root/node_modules/@pulumi/$name/package.json').version" 2>/dev/null) ||
        keyshift_fail "@pulumi/$name is not installed in $keyshift_root/node_modules: run npm ci" || return 1
      [[ -x ${PULUMI_HOME:-$HOME/.pulumi}/plugins/resource-$name-v$version/pulumi-resource-$name ]] ||
        command -v "pulumi-resource-$name" >/dev/null 2>&1 ||
        keyshift_fail "provider plugin $name $version not found in ${PULUMI_HOME:-$HOME/.pulumi}/plugins: run pulumi plugin install resource $name $version" || return 1
    done
  fi

  if command -v pulumi-language-nodejs >/dev/null 2>&1 || [[ -x $(dirname "$cli")/pulumi-language-nodejs ]]; then
    export KEYSHIFT_ENGINE=host
  else
    export KEYSHIFT_ENGINE=inline
  fi
  mkdir -p "$keyshift_root/.keyshift/state"
  export PULUMI_BACKEND_URL=${PULUMI_BACKEND_URL:-file://$keyshift_root/.keyshift/state}
  # A local demo passphrase; a real pipeline sets its own secret or uses a KMS secrets provider.
  export PULUMI_CONFIG_PASSPHRASE=${PULUMI_CONFIG_PASSPHRASE-keyshift-local-demo}
  export PULUMI_SKIP_UPDATE_CHECK=true
  export PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=true
}

keyshift_engine_setup || return 1 2>/dev/null || exit 1
