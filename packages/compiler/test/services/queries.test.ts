// The language queries over one check of a small system that has a bit of everything.
import { describe, expect, it } from 'vitest';
import { fixtureKernelInputs } from '../../../../test/helpers/kernel-fixture.js';
import { applyEdits, codeActions, completions, definition, DocumentSession, hover, outline, references, rename, semanticTokens, type DocumentCheck } from '../../src/services/index.js';

const SOURCE = `struct Flow {
  packets: u64,
  bytes: u64,
}

enum Verdict {
  Allow = 0,
  Block = 1,
}

const LIMIT: u32 = 100;

map<u32, Flow> flows : HashMap(1024);
map<u32, u64> hits : Array(4);

fn bump(v: u32) -> u32 {
  return v + LIMIT;
}

program count : xdp {
  fn main(ctx: XdpContext) -> XdpAction {
    let eth = ctx.header<EthHdr>(0);
    if eth == null { return XDP_PASS; }
    flows[1].packets += 1;
    hits[0] = hits[0] + 1;
    let verdict = Verdict::Block;
    if verdict == Verdict::Allow { return XDP_DROP; }
    return XDP_PASS;
  }
}

program other : tc {
  fn main(ctx: TcContext) -> TcAction {
    hits[1] = bump(ctx.len) as u64;
    return TC_ACT_OK;
  }
}
`;

const check = (source = SOURCE) => new DocumentSession('sample.ks').update(source);
const at = (source: string, needle: string, nth = 0, delta = 0) => {
  let index = -1;
  for (let i = 0; i <= nth; i++) index = source.indexOf(needle, index + 1);
  if (index < 0) throw new Error(`'${needle}' not in source`);
  return index + delta;
};
const textOf = (c: DocumentCheck, span: { start: { offset: number }; end: { offset: number } }) => c.source.slice(span.start.offset, span.end.offset);
const lineOf = (span: { start: { line: number } }) => span.start.line;
const checker = () => {
  const session = new DocumentSession('sample.ks');
  return (text: string) => session.update(text);
};

describe('language queries', () => {
  const c = check();

  it('has the diagnostics of compile(): the lost update race on hits', () => {
    expect(c.diagnostics.map((d) => d.message)).toEqual([expect.stringContaining("Map 'hits' has a non-atomic read-modify-write")]);
  });

  it('hovers a map with its layout and who reads and writes it', () => {
    const h = hover(c, at(SOURCE, 'hits[0] ='))!;
    expect(h.markdown).toContain('map<u32, u64> hits : Array(4)');
    expect(h.markdown).toContain('key 4 B, value 8 B, 4 entries');
    expect(h.markdown).toContain('program `count`: read-modify-write (not atomic) at line 25');
    expect(h.markdown).toContain('program `other`: write at line 34');
    expect(h.markdown).toContain('lost-update race');
  });

  it('hovers a program with its section, context and resource figures', () => {
    const h = hover(c, at(SOURCE, 'count'))!;
    expect(h.markdown).toContain('program count : xdp');
    expect(h.markdown).toContain('section `xdp`');
    expect(h.markdown).toContain('fn main(ctx: XdpContext) -> XdpAction');
    expect(h.markdown).toMatch(/~\d+ instructions \(estimated\), \d+ of 512 bytes of stack, \d+ bytes of maps/);
  });

  it('hovers locals, fields, constants, built-ins and plain expressions', () => {
    expect(hover(c, at(SOURCE, 'eth =') + 1)!.markdown).toContain('let eth: *EthHdr');
    expect(hover(c, at(SOURCE, 'packets +='))!.markdown).toContain('Flow.packets: u64');
    expect(hover(c, at(SOURCE, 'LIMIT;'))!.markdown).toContain('const LIMIT: u32 = 100');
    expect(hover(c, at(SOURCE, 'header'))!.markdown).toContain('XdpContext.header');
    expect(hover(c, at(SOURCE, 'XDP_PASS'))!.markdown).toContain('XDP_PASS: XdpAction = 2');
    expect(hover(c, at(SOURCE, 'bump(ctx'))!.markdown).toContain('fn bump(v: u32) -> u32');
    expect(hover(c, at(SOURCE, '1].packets'))!.markdown).toBe('```kernelscript\nu32\n```');
  });

  it('goes to the definition of maps, structs, enums, variants, consts, functions, programs and locals', () => {
    const def = (needle: string, nth = 0) => {
      const span = definition(c, at(SOURCE, needle, nth))!;
      return `${lineOf(span)}:${textOf(c, span)}`;
    };
    expect(def('flows[')).toBe('13:flows');
    expect(def('Flow>')).toBe('1:Flow');
    expect(def('packets +=')).toBe('2:packets');
    expect(def('Verdict::Block')).toBe('6:Verdict');
    expect(def('Block;')).toBe('8:Block');
    expect(def('LIMIT;')).toBe('11:LIMIT');
    expect(def('bump(ctx')).toBe('16:bump');
    expect(def('eth ==')).toBe('22:eth');
    expect(def('ctx.header')).toBe('21:ctx');
    expect(definition(c, at(SOURCE, 'XDP_PASS'))).toBeNull();
  });

  it('finds every reference', () => {
    expect(references(c, at(SOURCE, 'hits'), true).map(lineOf)).toEqual([14, 25, 25, 34]);
    expect(references(c, at(SOURCE, 'hits'), false).map(lineOf)).toEqual([25, 25, 34]);
    expect(references(c, at(SOURCE, 'Verdict {'), true).map(lineOf)).toEqual([6, 26, 27]);
  });

  it('renames a name everywhere and checks the result compiles', () => {
    const result = rename(c, at(SOURCE, 'hits'), 'counters');
    expect(result.ok).toBe(true);
    const renamed = applyEdits(SOURCE, result.ok ? result.edits : []);
    expect(renamed).toContain('map<u32, u64> counters : Array(4);');
    expect(renamed).toContain('counters[0] = counters[0] + 1;');
    expect(renamed).not.toContain('hits');
    const field = rename(c, at(SOURCE, 'packets +='), 'count');
    expect(field.ok && applyEdits(SOURCE, field.edits)).toContain('flows[1].count += 1;');
  });

  it('refuses a rename that would not compile, or of a built-in', () => {
    expect(rename(c, at(SOURCE, 'hits'), 'flows')).toMatchObject({ ok: false, message: expect.stringContaining('would not compile') });
    expect(rename(c, at(SOURCE, 'hits'), 'let')).toMatchObject({ ok: false });
    expect(rename(c, at(SOURCE, 'hits'), '1x')).toMatchObject({ ok: false, message: "'1x' is not an identifier" });
    expect(rename(c, at(SOURCE, 'XDP_PASS'), 'PASS')).toMatchObject({ ok: false, message: expect.stringContaining('built in') });
  });

  it('completes context members for the program kind', () => {
    const xdp = SOURCE.replace('let eth = ctx.header<EthHdr>(0);', 'let eth = ctx.header<EthHdr>(0);\n    let n = ctx.');
    const labels = completions(check(xdp), at(xdp, 'ctx.', 1) + 4, checker()).map((i) => i.label);
    expect(labels).toEqual(expect.arrayContaining(['data', 'data_end', 'ingress_ifindex', 'len', 'header']));
    expect(labels).not.toContain('mark');
    const tc = SOURCE.replace('hits[1] = bump(ctx.len) as u64;', 'let m = ctx.ma');
    const tcItems = completions(check(tc), at(tc, 'ctx.ma') + 6, checker());
    expect(tcItems.find((i) => i.label === 'mark')).toMatchObject({ kind: 'field', detail: 'u32 (writable)' });
  });

  it('completes struct fields through a view and a map element, and enum variants', () => {
    const view = SOURCE.replace('flows[1].packets += 1;', 'let p = eth.');
    expect(completions(check(view), at(view, 'eth.') + 4, checker()).map((i) => i.label)).toEqual(['h_dest', 'h_source', 'h_proto']);
    const element = SOURCE.replace('flows[1].packets += 1;', 'flows[1].');
    expect(completions(check(element), at(element, 'flows[1].') + 9, checker()).map((i) => i.label)).toEqual(['packets', 'bytes']);
    const variant = SOURCE.replace('Verdict::Block;', 'Verdict::');
    expect(completions(check(variant), at(variant, 'Verdict::') + 9, checker()).map((i) => i.label)).toEqual(['Allow', 'Block']);
  });

  it('completes the fields of a kernel struct from the BTF, anonymous members\' fields included', () => {
    const tracing = (body: string) => `program p : tracepoint("syscalls/sys_enter_getppid") {\n  fn main(ctx: TracepointContext) -> i32 {\n    let t = bpf_get_current_task();\n${body}\n    return 0;\n  }\n}\n`;
    const kernelChecker = () => {
      const session = new DocumentSession('trace.ks', fixtureKernelInputs());
      return (text: string) => session.update(text);
    };
    const task = tracing('    let x = t.');
    const items = completions(kernelChecker()(task), at(task, 't.') + 2, kernelChecker());
    expect(items.map((i) => i.label).sort()).toEqual(['comm', 'exit_code', 'flags', 'mm', 'pid', 'real_parent', 'tgid']);
    expect(items.find((i) => i.label === 'tgid')).toMatchObject({ kind: 'field', detail: 'i32', documentation: expect.stringMatching(/^Offset \d+ in struct task_struct/) });
    expect(items.find((i) => i.label === 'real_parent')?.detail).toBe('*task_struct');
    const sock = tracing('    let sk = 0 as u64 as *sock;\n    let x = sk.__sk_common.');
    const fields = completions(kernelChecker()(sock), at(sock, '__sk_common.') + 12, kernelChecker()).map((i) => i.label);
    expect(fields).toEqual(expect.arrayContaining(['skc_daddr', 'skc_rcv_saddr', 'skc_dport']));
  });

  it('hovers a kernel struct with its BTF fields and a kernel field with its type and offset', () => {
    const source = `program p : tracepoint("syscalls/sys_enter_getppid") {\n  fn main(ctx: TracepointContext) -> i32 {\n    let t = bpf_get_current_task();\n    let sk: *sock = 0 as u64 as *sock;\n    let x = t.real_parent.tgid;\n    return 0;\n  }\n}\n`;
    const checked = new DocumentSession('trace.ks', fixtureKernelInputs()).update(source);
    const sock = hover(checked, at(source, 'sock ='))!;
    expect(sock.markdown).toMatch(/^```kernelscript\nstruct sock \{\n  __sk_common: sock_common, \/\/ offset 0\n  sk_protocol: u16, \/\/ offset \d+\n\}\n```\n\nThe kernel's `struct sock`, \d+ bytes in this kernel's BTF: read through a pointer, each field a CO-RE read\.$/);
    const task = hover(checked, at(source, 'real_parent.'))!;
    expect(task.markdown).toMatch(/^```kernelscript\ntask_struct\.real_parent: \*task_struct\n```\n\nOffset \d+ in struct task_struct \(this kernel's BTF; CO-RE relocates it\)\.$/);
    expect(hover(checked, at(source, 'tgid;'))!.markdown).toMatch(/^```kernelscript\ntask_struct\.tgid: i32\n```/);
    // Without BTF the type is unknown, and hover says nothing wrong about it.
    expect(hover(new DocumentSession('trace.ks').update(source), at(source, 'sock ='))).toBeNull();
  });

  it('completes names in scope: locals, maps, consts, functions, built-ins with signatures, actions', () => {
    const typing = SOURCE.replace('return XDP_PASS;\n  }\n}\n\nprogram', 'return X\n  }\n}\n\nprogram');
    const items = completions(check(typing), at(typing, 'return X\n') + 8, checker());
    const find = (label: string) => items.find((i) => i.label === label);
    expect(find('eth')).toMatchObject({ kind: 'variable', detail: '*EthHdr' });
    expect(find('verdict')).toMatchObject({ kind: 'variable' });
    expect(find('ctx')).toMatchObject({ kind: 'parameter', detail: 'XdpContext' });
    expect(find('flows')).toMatchObject({ kind: 'variable', detail: 'map<u32, Flow> : HashMap(1024)' });
    expect(find('LIMIT')).toMatchObject({ kind: 'constant' });
    expect(find('bump')).toMatchObject({ kind: 'function', detail: 'fn bump(v: u32) -> u32' });
    expect(find('bpf_ktime_get_ns')).toMatchObject({ kind: 'function', detail: 'fn bpf_ktime_get_ns() -> u64' });
    expect(find('XDP_DROP')).toMatchObject({ kind: 'enum-member' });
    expect(find('TC_ACT_OK')).toBeUndefined();
    expect(find('sleep')).toBeUndefined();
  });

  it('completes map kinds and program kinds in declarations', () => {
    const mapKind = 'map<u32, u32> m : ';
    expect(completions(check(mapKind), mapKind.length, checker()).map((i) => i.label)).toContain('PercpuHash');
    const programKind = 'program p : ';
    expect(completions(check(programKind), programKind.length, checker()).map((i) => i.label)).toContain('tracepoint');
  });

  it('outlines the file', () => {
    const items = outline(c);
    expect(items.map((i) => `${i.kind} ${i.name}`)).toEqual(['struct Flow', 'enum Verdict', 'const LIMIT', 'map flows', 'map hits', 'function bump', 'program count', 'program other']);
    expect(items[0]!.children.map((f) => f.name)).toEqual(['packets', 'bytes']);
    expect(items[6]!.children.map((f) => f.name)).toEqual(['main']);
  });

  it('gives semantic tokens for every resolved name', () => {
    const tokens = semanticTokens(c);
    const kindOf = (needle: string) => tokens.find((t) => t.span.start.offset === at(SOURCE, needle));
    expect(kindOf('hits[0]')).toMatchObject({ type: 'variable', modifiers: ['static'] });
    expect(kindOf('count :')).toMatchObject({ type: 'namespace', modifiers: ['declaration'] });
    expect(kindOf('packets +=')).toMatchObject({ type: 'property' });
    expect(kindOf('Block;')).toMatchObject({ type: 'enumMember' });
    expect(kindOf('ctx.header')).toMatchObject({ type: 'parameter' });
  });
});

describe('code actions', () => {
  it('rewrites a lost-update race to the atomic +=', () => {
    const c = check();
    const offset = at(SOURCE, 'hits[0] =');
    const [action] = codeActions(c, offset, offset);
    expect(action).toMatchObject({ title: "Use '+=' (an atomic update)", kind: 'quickfix', preferred: true });
    expect(action!.diagnostic?.message).toContain('lost-update race');
    const fixed = applyEdits(SOURCE, action!.edits);
    expect(fixed).toContain('hits[0] += 1;');
    expect(check(fixed).diagnostics).toEqual([]);
  });

  it('adds the null check a view needs, after the let that took it', () => {
    const source = SOURCE.replace('    if eth == null { return XDP_PASS; }\n', '    let proto = eth.h_proto;\n');
    const c = check(source);
    const diagnostic = c.diagnostics.find((d) => d.message.includes('may be null'))!;
    const [action] = codeActions(c, diagnostic.span!.start.offset, diagnostic.span!.end.offset);
    expect(action!.title).toBe('Add the null check: if eth == null { return XDP_PASS; }');
    const fixed = applyEdits(source, action!.edits);
    expect(fixed).toContain('    let eth = ctx.header<EthHdr>(0);\n    if eth == null { return XDP_PASS; }\n    let proto = eth.h_proto;');
    expect(check(fixed).diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('applies a did-you-mean suggestion', () => {
    const source = SOURCE.replace('bump(ctx.len)', 'bmup(ctx.len)');
    const c = check(source);
    const diagnostic = c.diagnostics.find((d) => d.severity === 'error')!;
    const [action] = codeActions(c, diagnostic.span!.start.offset, diagnostic.span!.start.offset);
    expect(action!.title).toBe("Change to 'bump'");
    expect(applyEdits(source, action!.edits)).toBe(SOURCE);
  });
});
