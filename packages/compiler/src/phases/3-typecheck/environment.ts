// The environment a statement or expression is checked in: the locals in
// scope, the nullable views proven non-null, the views a packet resize made
// invalid, and the loop nesting. It is
// immutable: a block, a branch, a loop body or the right side of `&&` is
// checked in an environment derived from its parent's, so nothing learned in
// a subtree leaks out of it, and nothing has to be saved and restored.
import type { PacketResize } from './packet-resize.js';
import type { LocalVariable } from './typed-system.js';

/**
 * The locals one block declares, append-only: an environment sees the first
 * `visible` of them, so the environments of a block's successive statements
 * share one frame and each still sees only what was declared before it.
 */
class Frame {
  readonly byName = new Map<string, { local: LocalVariable; index: number }[]>();
  count = 0;
}

/** A persistent list of the locals proven non-null. */
interface Fact {
  local: LocalVariable;
  next: Fact | null;
}

/** A persistent list of views and the resize that made each invalid (null: taken again since). */
interface Staleness {
  local: LocalVariable;
  resize: PacketResize | null;
  next: Staleness | null;
}

export class Environment {
  private constructor(
    private readonly frame: Frame,
    private readonly visible: number,
    private readonly parent: Environment | null,
    private readonly facts: Fact | null,
    /** Loops around this point: `break` and `continue` need one. */
    readonly loopDepth: number,
    private readonly stale: Staleness | null = null,
  ) {}

  static root(): Environment {
    return new Environment(new Frame(), 0, null, null, 0);
  }

  /** The local `name` denotes here: the innermost declaration before this point. */
  find(name: string): LocalVariable | undefined {
    for (let env: Environment | null = this; env; env = env.parent) {
      const declared = env.frame.byName.get(name);
      if (!declared) continue;
      for (let i = declared.length - 1; i >= 0; i--) if (declared[i]!.index < env.visible) return declared[i]!.local;
    }
    return undefined;
  }

  /** Every local name in scope, for "did you mean" hints. */
  names(): string[] {
    const names: string[] = [];
    for (let env: Environment | null = this; env; env = env.parent) {
      for (const [name, declared] of env.frame.byName) if (declared.some((d) => d.index < env!.visible)) names.push(name);
    }
    return names;
  }

  /** This environment with `local` declared in its innermost block. */
  declare(local: LocalVariable): Environment {
    // Only the latest environment of a block may extend it (statements are checked in order).
    if (this.visible !== this.frame.count) throw new Error(`internal: '${local.name}' declared in an outdated environment`);
    const declared = this.frame.byName.get(local.name) ?? [];
    declared.push({ local, index: this.frame.count++ });
    this.frame.byName.set(local.name, declared);
    return new Environment(this.frame, this.frame.count, this.parent, this.facts, this.loopDepth, this.stale);
  }

  /** The environment of a nested block: its declarations end with it. */
  block(): Environment {
    return new Environment(new Frame(), 0, this, this.facts, this.loopDepth, this.stale);
  }

  /** The environment of a loop body (a block of its own). */
  loop(): Environment {
    return new Environment(new Frame(), 0, this, this.facts, this.loopDepth + 1, this.stale);
  }

  /** This environment where `locals` are known to be non-null. */
  withNonNull(locals: readonly LocalVariable[]): Environment {
    if (locals.length === 0) return this;
    let facts = this.facts;
    for (const local of locals) facts = { local, next: facts };
    return new Environment(this.frame, this.visible, this.parent, facts, this.loopDepth, this.stale);
  }

  /** This environment after `resize` moved the packet: every view in scope points at what the packet was. */
  afterResize(resize: PacketResize): Environment {
    let stale = this.stale;
    for (const local of this.visibleLocals()) if (local.type.kind === 'pointer') stale = { local, resize, next: stale };
    return new Environment(this.frame, this.visible, this.parent, this.facts, this.loopDepth, stale);
  }

  /** This environment where the view `local` was taken again (assigned a new view). */
  withFreshView(local: LocalVariable): Environment {
    if (!this.resizeBefore(local)) return this;
    return new Environment(this.frame, this.visible, this.parent, this.facts, this.loopDepth, { local, resize: null, next: this.stale });
  }

  /** The resize that made the view `local` invalid here, if one did. */
  resizeBefore(local: LocalVariable): PacketResize | null {
    for (let entry = this.stale; entry; entry = entry.next) if (entry.local === local) return entry.resize;
    return null;
  }

  /** The locals in scope here (shadowed ones too: they still name views). */
  private *visibleLocals(): Generator<LocalVariable> {
    for (let env: Environment | null = this; env; env = env.parent) {
      for (const declared of env.frame.byName.values()) for (const d of declared) if (d.index < env.visible) yield d.local;
    }
  }

  isNonNull(local: LocalVariable): boolean {
    for (let fact = this.facts; fact; fact = fact.next) if (fact.local === local) return true;
    return false;
  }
}
