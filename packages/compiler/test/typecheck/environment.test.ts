// The checker's environment is immutable: what a block or branch declares or
// proves stays in it, and each statement sees only what came before it.
import { describe, expect, it } from 'vitest';
import { Environment } from '../../src/phases/3-typecheck/environment.js';
import type { LocalVariable } from '../../src/phases/3-typecheck/typed-system.js';
import { INT_TYPES } from '../../src/phases/2-symbols/types.js';

const span = { start: { offset: 0, line: 1, column: 1 }, end: { offset: 0, line: 1, column: 1 } };
const local = (name: string): LocalVariable => ({ name, cName: name, type: INT_TYPES.u32, isConst: false, isParam: false, span, fromMapElement: false });

describe('Environment', () => {
  it('each environment sees the declarations before it; later ones shadow earlier ones', () => {
    const a1 = local('a');
    const a2 = local('a');
    const root = Environment.root();
    const first = root.declare(a1);
    const second = first.declare(a2);
    expect(root.find('a')).toBeUndefined();
    expect(first.find('a')).toBe(a1);
    expect(second.find('a')).toBe(a2);
  });

  it('a block sees its parent; what it declares ends with it', () => {
    const outer = Environment.root().declare(local('x'));
    const inner = outer.block().declare(local('y'));
    expect(inner.find('x')?.name).toBe('x');
    expect(outer.find('y')).toBeUndefined();
    expect(inner.names().sort()).toEqual(['x', 'y']);
  });

  it('non-null facts hold in the derived environment and its blocks only', () => {
    const view = local('eth');
    const env = Environment.root().declare(view);
    const proven = env.withNonNull([view]);
    expect(env.isNonNull(view)).toBe(false);
    expect(proven.isNonNull(view)).toBe(true);
    expect(proven.block().isNonNull(view)).toBe(true);
  });

  it('counts loops, and refuses to extend a block from an outdated environment', () => {
    const env = Environment.root();
    expect(env.loop().loop().loopDepth).toBe(2);
    env.declare(local('a'));
    expect(() => env.declare(local('b'))).toThrow(/outdated environment/);
  });
});
