#!/usr/bin/env bash
# Runs the built package's smoke test (require + import, a cached call, a file-tier round trip) on the oldest
# Node that package.json's "engines" declares, so the declared range is the tested one. That Node comes from
# the npm registry (the node-<os>-<arch> package holds the binary; its install script is not needed) and is
# kept in a cache folder between runs. Run after `npm run build`.
set -euo pipefail
cd "$(dirname "$0")/.."

range="$(node -p "require('./package.json').engines.node")"
# Only a lower bound of the form ">=X[.Y[.Z]]" is understood; anything else must be taught here.
if [[ ! "$range" =~ ^\>=\ *([0-9]+)(\.([0-9]+))?(\.([0-9]+))?$ ]]; then
  echo "oldest-node: cannot read a lower bound from engines.node \"$range\"" >&2
  exit 1
fi
version="${BASH_REMATCH[1]}.${BASH_REMATCH[3]:-0}.${BASH_REMATCH[5]:-0}"

case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) echo "oldest-node: unsupported OS" >&2; exit 1 ;; esac
case "$(uname -m)" in x86_64 | amd64) arch=x64 ;; aarch64 | arm64) arch=arm64 ;; *) echo "oldest-node: unsupported CPU" >&2; exit 1 ;; esac

cache="${TIERCACHE_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tiercache-ci}/node-$os-$arch-$version"
oldest="$cache/node"
if [[ ! -x "$oldest" ]]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  npm pack "node-$os-$arch@$version" --pack-destination "$work" --silent >/dev/null
  tar -xzf "$work"/node-*.tgz -C "$work" package/bin/node
  mkdir -p "$cache"
  mv "$work/package/bin/node" "$oldest"
fi

actual="$("$oldest" --version)"
if [[ "$actual" != "v$version" ]]; then
  echo "oldest-node: expected Node v$version, got $actual" >&2
  exit 1
fi
"$oldest" test/package/fixtures/smoke.cjs
"$oldest" test/package/fixtures/smoke.mjs
