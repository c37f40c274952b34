// BPF_PROG_TEST_RUN for skb programs with the context passed in and out, so a
// test can read what the program wrote into the `struct __sk_buff` (the mark).
// The runtime's testRun passes no context; bpftool does.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

/** sizeof(struct __sk_buff) on the kernels we test on; the kernel refuses other sizes. */
const SK_BUFF_CTX_SIZE = 192;
/** offsetof(struct __sk_buff, mark). */
const MARK_OFFSET = 8;

export interface SkbRunResult {
  retval: number;
  mark: number;
}

/** Runs a pinned skb program (tc, socket_filter, cgroup_skb) once on `packet` with a zeroed context. */
export async function testRunSkb(progPin: string, packet: Buffer): Promise<SkbRunResult> {
  const scratch = await mkdtemp(join(tmpdir(), 'ks-skb-run-'));
  try {
    const paths = { data: join(scratch, 'data.bin'), ctxIn: join(scratch, 'ctx-in.bin'), ctxOut: join(scratch, 'ctx-out.bin') };
    await writeFile(paths.data, packet);
    await writeFile(paths.ctxIn, Buffer.alloc(SK_BUFF_CTX_SIZE));
    const { stdout } = await execa('bpftool', ['-j', 'prog', 'run', 'pinned', progPin, 'data_in', paths.data, 'ctx_in', paths.ctxIn, 'ctx_out', paths.ctxOut]);
    const ctxOut = await readFile(paths.ctxOut);
    return { retval: (JSON.parse(stdout) as { retval: number }).retval, mark: ctxOut.readUInt32LE(MARK_OFFSET) };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
