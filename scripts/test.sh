#!/usr/bin/env bash
# Second command of the README (and CI): set up the machine, then run every
# test, including the ones that load programs into this kernel. Extra
# arguments go to vitest, e.g. `scripts/test.sh test/kernel-harness.test.ts`.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

bash scripts/setup.sh

printf '==> pnpm typecheck\n'
pnpm typecheck

printf '==> pnpm test\n'
exec pnpm test "$@"
