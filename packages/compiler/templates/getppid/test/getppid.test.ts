// Attaches the tracepoint program and triggers it with real getppid() calls.
// (The kernel's BPF_PROG_TEST_RUN does not run tracepoint programs, so this
// test attaches instead; xdp, tc and socket filters can use testRun.)
// Loading and attaching need root and tracefs.
import { load } from '@kernelscript/runtime';
import { describe, expect, it } from 'vitest';
import getppid from '../src/getppid.ks';

/** `process.ppid` is a getter that calls getppid(2) each time it is read. */
function callGetppid(times: number): void {
  for (let i = 0; i < times; i++) void process.ppid;
}

describe.skipIf(process.getuid?.() !== 0)('count_getppid', () => {
  it('counts this process\'s getppid() calls', () => {
    using system = load(getppid);
    system.programs.count_getppid.attach();
    callGetppid(25);
    expect(system.maps.calls_by_process.get(process.pid)).toBeGreaterThanOrEqual(25n);
  });
});
