// Whether a loaded system is still open. Handles check it before every
// syscall: after close() their fd numbers may already belong to some other
// file. Handles holding their own resources (ring buffers) free them on close.
export class Lifetime {
  private closed = false;
  private readonly closeHooks: (() => void)[] = [];

  constructor(private readonly systemName: string) {}

  /** Runs `hook` when the system closes, before the object is unloaded. */
  onClose(hook: () => void): void {
    this.closeHooks.push(hook);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const hook of this.closeHooks.splice(0)) hook();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  assertOpen(): void {
    if (this.closed) throw new Error(`system '${this.systemName}' is closed`);
  }
}
