#!/usr/bin/env bash
# First command of the README: set up the machine, then compile and build the
# reference multi-program example, printing the multi-program analysis.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

bash scripts/setup.sh

readonly out_dir=build/multi_programs
printf '==> kernelscript build examples/multi_programs.ks -o %s\n' "$out_dir"
# As root, also load both programs into this kernel's verifier and show its verdicts.
verify=()
if [[ "$(id -u)" -eq 0 ]]; then verify=(--verify); fi
node packages/compiler/bin/kernelscript.js build examples/multi_programs.ks -o "$out_dir" "${verify[@]}"

cat <<MSG

Output: $repo_root/$out_dir
  multi_programs.ebpf.c / .ebpf.o   eBPF programs (libbpf C and object)
  multi_programs.c / multi_programs userspace coordinator (the object embedded: it runs alone)
  Makefile                          rebuild with: make -C $out_dir
Run the coordinator (loading BPF programs needs root):
  sudo ./$out_dir/multi_programs
MSG
