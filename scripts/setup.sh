#!/usr/bin/env bash
# Prepares a fresh Debian 12 machine (or re-checks a prepared one) to build and
# test KernelScript: BPF toolchain, pnpm, dependencies, build, bpffs.
# Idempotent and non-interactive; run as root (uses sudo otherwise).
set -euo pipefail

readonly PNPM_VERSION=10.34.8
readonly APT_PACKAGES=(clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev iproute2 make gcc)

export DEBIAN_FRONTEND=noninteractive
# bpftool and ip live in sbin, which a non-root PATH may lack.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

as_root=()
if [[ "$(id -u)" -ne 0 ]]; then as_root=(sudo); fi

step() { printf '==> %s\n' "$*"; }

# Runs a command with its output captured; shows the output only if it fails.
quietly() {
  local log
  log="$(mktemp)"
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    printf 'setup.sh: failed: %s\n' "$*" >&2
    exit 1
  fi
  rm -f "$log"
}

toolchain_complete() {
  local tool header
  for tool in clang llc bpftool ip gcc make; do
    command -v "$tool" >/dev/null || return 1
  done
  for header in /usr/include/bpf/libbpf.h /usr/include/libelf.h /usr/include/zlib.h; do
    [[ -f "$header" ]] || return 1
  done
}

bpffs_mounted() {
  awk '$2 == "/sys/fs/bpf" && $3 == "bpf" { found = 1 } END { exit !found }' /proc/mounts
}

if toolchain_complete; then
  step "BPF toolchain present"
else
  step "Installing BPF toolchain: ${APT_PACKAGES[*]}"
  quietly "${as_root[@]}" apt-get update
  quietly "${as_root[@]}" apt-get install -y "${APT_PACKAGES[@]}"
fi

if ! command -v node >/dev/null; then
  printf 'setup.sh: Node.js 20 or newer is required and was not found\n' >&2
  exit 1
fi

if [[ "$(pnpm --version 2>/dev/null || true)" == "$PNPM_VERSION" ]]; then
  step "pnpm $PNPM_VERSION present"
else
  step "Installing pnpm $PNPM_VERSION"
  quietly "${as_root[@]}" npm install --global "pnpm@$PNPM_VERSION"
fi

# Never prompt (e.g. to purge node_modules) when stdin is not a terminal.
pnpm_install_flags=(--config.confirmModulesPurge=false)
if [[ -f pnpm-lock.yaml ]]; then
  step "Installing dependencies (frozen lockfile)"
  quietly pnpm install --frozen-lockfile "${pnpm_install_flags[@]}"
else
  step "Installing dependencies (no lockfile yet)"
  quietly pnpm install "${pnpm_install_flags[@]}"
fi

step "Building packages"
quietly pnpm build

if bpffs_mounted; then
  step "bpffs mounted at /sys/fs/bpf"
else
  step "Mounting bpffs at /sys/fs/bpf"
  quietly "${as_root[@]}" mount -t bpf bpf /sys/fs/bpf
fi

step "Setup complete"
