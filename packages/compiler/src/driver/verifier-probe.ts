// A small libbpf program that loads ONE program of an object into the kernel
// and prints the verifier's verdict and log. Written in C so the compiler
// needs nothing beyond the toolchain `build` already uses (gcc, libbpf-dev);
// compiled once per machine into the temp directory.
//
// Why not `bpftool prog loadall`: it loads all programs and stops at the first
// refusal, it pins everything, and its only verbose mode (-d) asks the kernel
// for the full per-instruction log even when we only want the statistics —
// 100 MB and 15 s for a program that hits the 1M-instruction limit.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { CC, LIBS } from '../toolchain-flags.js';
import { INSTALL_HINT, ToolchainError } from './toolchain.js';

/** Bytes of verifier log kept; since Linux 6.4 the kernel keeps the tail when the log is longer. */
const VERIFIER_LOG_BYTES = 4 << 20;

const PROBE_SOURCE = String.raw`// kernelscript verifier probe: probe OBJECT PROGRAM LOG_LEVEL
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

static char log_buf[${VERIFIER_LOG_BYTES}];

static int quiet(enum libbpf_print_level level, const char *format, va_list args)
{
    if (level != LIBBPF_WARN)
        return 0;
    return vfprintf(stderr, format, args);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s OBJECT PROGRAM LOG_LEVEL\n", argv[0]);
        return 2;
    }
    libbpf_set_print(quiet);
    struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
    if (!obj) {
        fprintf(stderr, "cannot open %s: %s\n", argv[1], strerror(errno));
        return 2;
    }
    struct bpf_program *prog;
    int found = 0;
    bpf_object__for_each_program(prog, obj) {
        int mine = strcmp(bpf_program__name(prog), argv[2]) == 0;
        found |= mine;
        bpf_program__set_autoload(prog, mine);
        if (mine) {
            bpf_program__set_log_level(prog, (unsigned)atoi(argv[3]));
            bpf_program__set_log_buf(prog, log_buf, sizeof(log_buf));
        }
    }
    if (!found) {
        fprintf(stderr, "no program %s in %s\n", argv[2], argv[1]);
        bpf_object__close(obj);
        return 2;
    }
    int err = bpf_object__load(obj);
    printf("verdict %s %d\n", err ? "refused" : "accepted", err);
    fputs(log_buf, stdout);
    bpf_object__close(obj);
    return 0;
}
`;

let probe: Promise<string> | null = null;

/** Path of the compiled probe, building it on first use. */
export function verifierProbe(cc = CC): Promise<string> {
  probe ??= buildProbe(cc).catch((error: unknown) => {
    probe = null;
    throw error;
  });
  return probe;
}

async function buildProbe(cc: string): Promise<string> {
  const digest = createHash('sha256').update(PROBE_SOURCE).digest('hex').slice(0, 12);
  const dir = join(tmpdir(), `kernelscript-verifier-${digest}`);
  const binary = join(dir, 'probe');
  if (existsSync(binary)) return binary;
  await mkdir(dir, { recursive: true });
  const unique = `${process.pid}-${Date.now()}`;
  const source = join(dir, `probe-${unique}.c`);
  await writeFile(source, PROBE_SOURCE);
  const result = await execa(cc, ['-O2', '-Wall', '-o', `${binary}.${unique}`, source, ...LIBS], { reject: false, all: true });
  if (result.exitCode !== 0) throw new ToolchainError(`${cc} (verifier probe)`, String(result.all ?? result.message), `the probe needs gcc and libbpf-dev: ${INSTALL_HINT}`);
  // Atomic: concurrent verifications never run a half-written binary.
  await rename(`${binary}.${unique}`, binary);
  return binary;
}
