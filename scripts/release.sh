#!/usr/bin/env bash
# Publishes every package under packages/ to npm (pnpm replaces `workspace:^`
# with the caret range of the sibling's version, and skips versions the
# registry already has). Run with `--dry-run` to see what would be published;
# the test suite does (test/packages/tarballs.test.ts). A real release starts
# from a clean build, so no stale file of an earlier build is shipped.
# Usage: scripts/release.sh [--dry-run] [other `pnpm publish` flags]
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

dry_run=false
for argument in "$@"; do [[ "$argument" == --dry-run ]] && dry_run=true; done

if [[ "$dry_run" == false ]]; then
  # A dry run leaves the builds alone: other processes (tests) may be reading them.
  rm -rf packages/*/dist
  pnpm build
  pnpm typecheck
fi
# `pnpm release` exports its whole config as npm_* variables, some of which npm
# (which pnpm publish runs) warns about; pnpm and npm read their config files
# again anyway. Keep only where to log in and where to publish.
while IFS= read -r variable; do
  case "$variable" in npm_config_userconfig | npm_config_registry) ;; *) unset "$variable" ;; esac
done < <(compgen -e | grep -i '^npm_')
exec pnpm -r --filter './packages/**' publish --access public "$@"
