// One loaded program: its fd, BPF_PROG_TEST_RUN, and its attachments.
import koffi from 'koffi';
import { attachProgram, type AttachOptions, type Attachment, type AttachTarget } from './attach.js';
import { bpfTestRunOpts, check, lib, type BpfProgram } from './libbpf.js';
import type { Lifetime } from './lifetime.js';
import type { AttachMethod, ProgramKind, ProgramMetadata } from './metadata.js';

export interface TestRunOptions {
  /** How many times the kernel runs the program; durationNs is the average. Default 1. */
  repeat?: number;
  /**
   * The program's context going in (e.g. a `struct __sk_buff` for tc and
   * socket_filter, 192 bytes on current kernels); what the program left in it
   * comes back as `ctxOut`. Without it the kernel builds the context itself.
   */
  ctx?: Uint8Array;
}

export interface TestRunResult {
  /** The program's return value (e.g. XDP_PASS = 2). */
  retval: number;
  /** Average run time per repetition, as measured by the kernel. */
  durationNs: number;
  /** The packet after the program ran (it may have been rewritten, grown or shrunk). */
  dataOut: Buffer;
  /** The context after the run, when `ctx` was given (e.g. the `mark` a tc program set). */
  ctxOut: Buffer | null;
}

/** Room for programs that grow the packet (bpf_xdp_adjust_head/tail). */
const DATA_OUT_HEADROOM = 4096;
/** Limits of the C fields these options go into: `int repeat`, `__u32` sizes. */
const INT_MAX = 2 ** 31 - 1;
const U32_MAX = 2 ** 32 - 1;

/** A loaded program; `Kind` is its kind as the `.ks` declares it (`ProgramHandle<'xdp'>`). */
export class ProgramHandle<Kind extends ProgramKind = ProgramKind> {
  readonly name: string;
  readonly kind: Kind;
  /** How it attaches (the compiler's program-kind table): what attach() takes follows from it. */
  readonly attachMethod: AttachMethod;
  readonly fd: number;
  private readonly program: BpfProgram;
  private readonly metadata: ProgramMetadata;
  /** The verifier's log of this program's load, when load() was asked for it (`verifierLog`); otherwise empty. */
  readonly verifierLog: string;
  private readonly attachments: Attachment[] = [];

  constructor(
    metadata: ProgramMetadata,
    program: BpfProgram,
    private readonly lifetime: Lifetime,
    verifierLog = '',
  ) {
    this.verifierLog = verifierLog;
    this.name = metadata.name;
    this.kind = metadata.kind as Kind;
    this.attachMethod = metadata.attach;
    this.metadata = metadata;
    this.program = program;
    this.fd = check(`getting the fd of program '${metadata.name}'`, () => lib.bpf_program__fd(program) as number);
  }

  /** Runs the program on `data` in the kernel (BPF_PROG_TEST_RUN) without attaching it. */
  testRun(data: Uint8Array, options: TestRunOptions = {}): TestRunResult {
    this.lifetime.assertOpen();
    if (!(data instanceof Uint8Array)) throw new TypeError(`testRun of '${this.name}': data must be a Uint8Array`);
    const repeat = options.repeat ?? 1;
    if (typeof repeat !== 'number' || !Number.isInteger(repeat)) throw new TypeError(`testRun of '${this.name}': repeat must be an integer, got ${String(repeat)}`);
    // libbpf's `repeat` is a C int: a larger number would wrap around silently.
    if (repeat < 1 || repeat > INT_MAX) throw new RangeError(`testRun of '${this.name}': repeat must be between 1 and ${INT_MAX}, got ${repeat}`);
    if (data.length > U32_MAX - DATA_OUT_HEADROOM) throw new RangeError(`testRun of '${this.name}': data of ${data.length} bytes is larger than the kernel takes`);
    const dataIn = Buffer.from(data);
    const dataOut = Buffer.alloc(dataIn.length + DATA_OUT_HEADROOM);
    if (options.ctx !== undefined && !(options.ctx instanceof Uint8Array)) throw new TypeError(`testRun of '${this.name}': ctx must be a Uint8Array`);
    if (options.ctx !== undefined && options.ctx.length > U32_MAX) throw new RangeError(`testRun of '${this.name}': ctx of ${options.ctx.length} bytes is larger than the kernel takes`);
    const ctxIn = options.ctx === undefined ? null : Buffer.from(options.ctx);
    const ctxOut = ctxIn === null ? null : Buffer.alloc(ctxIn.length);
    const runOptions = {
      sz: bpfTestRunOpts.size,
      data_in: koffi.address(dataIn),
      data_out: koffi.address(dataOut),
      data_size_in: dataIn.length,
      data_size_out: dataOut.length,
      ctx_in: ctxIn === null ? null : koffi.address(ctxIn),
      ctx_out: ctxOut === null ? null : koffi.address(ctxOut),
      ctx_size_in: ctxIn?.length ?? 0,
      ctx_size_out: ctxOut?.length ?? 0,
      retval: 0,
      repeat,
      duration: 0,
      flags: 0,
      cpu: 0,
      batch_size: 0,
    };
    check(`test run of program '${this.name}'`, () => lib.bpf_prog_test_run_opts(this.fd, runOptions) as number);
    return {
      retval: runOptions.retval,
      durationNs: runOptions.duration,
      dataOut: Buffer.from(dataOut.subarray(0, runOptions.data_size_out)),
      ctxOut: ctxOut === null ? null : Buffer.from(ctxOut.subarray(0, runOptions.ctx_size_out)),
    };
  }

  /** Attaches the program (see AttachTarget for what each kind takes; xdp may name a mode). Call detach() or close the system to undo. */
  attach(target?: AttachTarget, options?: AttachOptions): Attachment {
    this.lifetime.assertOpen();
    const attachment = attachProgram(this.program, this.fd, this.metadata, target, options);
    this.attachments.push(attachment);
    return attachment;
  }

  /** Detaches everything this program was attached to. */
  detach(): void {
    const errors: unknown[] = [];
    for (const attachment of this.attachments.splice(0)) {
      try {
        attachment.detach();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `detaching program '${this.name}' failed`);
  }
}
