// The errors of §12 (packets that act), each with its message, location and
// the source line with a caret, exactly as the CLI prints them.
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.js';
import { formatDiagnostic } from '../../src/diagnostics/format.js';

const FILE = 'prog.ks';

function errors(source: string): string[] {
  const result = compile(source, { filename: FILE });
  expect(result.ok).toBe(false);
  return result.diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(d, FILE, source));
}

const program = (kind: string, context: string, returns: string, body: string, before = '') =>
  `${before}program p : ${kind} {\n  fn main(ctx: ${context}) -> ${returns} {\n${body}\n  }\n}\n`;
const xdp = (body: string, before = '') => program('xdp', 'XdpContext', 'XdpAction', body, before);

describe('packet errors', () => {
  it('a view taken before a resize helper, written after it, names the call and its line', () => {
    const source = xdp(
      [
        '    let eth = ctx.header<EthHdr>(0);',
        '    if eth == null { return XDP_PASS; }',
        '    if bpf_xdp_adjust_head(ctx, 4) != 0 { return XDP_DROP; }',
        '    eth.h_proto = 0;',
        '    return XDP_PASS;',
      ].join('\n'),
    );
    expect(errors(source)).toEqual([
      [
        "prog.ks:6:5: error[KS7001]: 'eth' was taken before bpf_xdp_adjust_head on line 5, which moves the packet: the view no longer points into it",
        '6 |     eth.h_proto = 0;',
        '  |     ^^^',
        '  = help: take the view again after the call: let eth = ctx.header<EthHdr>(offset);',
      ].join('\n'),
    ]);
  });

  it('a stale view is refused for reads too, after a call whose result is ignored', () => {
    const source = xdp(
      [
        '    let eth = ctx.header<EthHdr>(0);',
        '    if eth == null { return XDP_PASS; }',
        '    bpf_xdp_adjust_tail(ctx, -4);',
        '    if eth.h_proto == 0 { return XDP_DROP; }',
        '    return XDP_PASS;',
      ].join('\n'),
    );
    expect(errors(source)[0]).toMatch(/^prog\.ks:6:8: error\[KS7001\]: 'eth' was taken before bpf_xdp_adjust_tail on line 5, which moves the packet/);
  });

  it('a resize inside a called function makes the caller\'s views stale, naming the function and the helper', () => {
    const source = [
      'fn shrink(ctx: XdpContext) -> bool {',
      '  return bpf_xdp_adjust_head(ctx, 4) == 0;',
      '}',
      xdp(['    let eth = ctx.header<EthHdr>(0);', '    if eth == null { return XDP_PASS; }', '    if !shrink(ctx) { return XDP_DROP; }', '    eth.h_proto = 0;', '    return XDP_PASS;'].join('\n')),
    ].join('\n');
    expect(errors(source)[0]).toMatch(
      /^prog\.ks:9:5: error\[KS7001\]: 'eth' was taken before the call to shrink on line 8 \(which calls bpf_xdp_adjust_head\), which moves the packet/,
    );
  });

  it('a resize on one branch makes the view stale after the branches join', () => {
    const source = xdp(
      ['    let eth = ctx.header<EthHdr>(0);', '    if eth == null { return XDP_PASS; }', '    if eth.h_proto == 1 { bpf_xdp_adjust_tail(ctx, -4); }', '    eth.h_proto = 0;', '    return XDP_PASS;'].join('\n'),
    );
    expect(errors(source)[0]).toMatch(/^prog\.ks:6:5: error\[KS7001\]: 'eth' was taken before bpf_xdp_adjust_tail on line 5/);
  });

  it('a view taken again after the resize is fresh, and copies read before it stay usable', () => {
    const source = xdp(
      [
        '    let eth = ctx.header<EthHdr>(0);',
        '    if eth == null { return XDP_PASS; }',
        '    let dest = eth.h_dest;',
        '    if bpf_xdp_adjust_head(ctx, 4) != 0 { return XDP_DROP; }',
        '    let moved = ctx.header<EthHdr>(0);',
        '    if moved == null { return XDP_DROP; }',
        '    moved.h_dest = dest;',
        '    return XDP_PASS;',
      ].join('\n'),
    );
    expect(compile(source, { filename: FILE }).diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('a stale view after bpf_skb_adjust_room in tc', () => {
    const source = program(
      'tc',
      'TcContext',
      'TcAction',
      [
        '    let ip = ctx.header<Ipv4Hdr>(14);',
        '    if ip == null { return TC_ACT_OK; }',
        '    if bpf_skb_adjust_room(ctx, 20, BPF_ADJ_ROOM_NET, 0) != 0 { return TC_ACT_SHOT; }',
        '    ip.ttl -= 1;',
        '    return TC_ACT_OK;',
      ].join('\n'),
    );
    expect(errors(source)[0]).toMatch(/^prog\.ks:6:5: error\[KS7001\]: 'ip' was taken before bpf_skb_adjust_room on line 5/);
  });

  it.each([
    ['socket_filter', 'socket_filter', 'i32', '0'],
    ['cgroup_skb', 'cgroup_skb("ingress")', 'i32', '1'],
  ])('a write through a view in %s says the view is a copy', (_name, kind, returns, value) => {
    const source = program(
      kind,
      'SkbContext',
      returns,
      ['    let ip = ctx.header<Ipv4Hdr>(0);', `    if ip == null { return ${value}; }`, '    ip.ttl -= 1;', `    return ${value};`].join('\n'),
    );
    expect(errors(source)).toEqual([
      [
        "prog.ks:5:5: error[KS3203]: cannot write through 'ip': in socket_filter and cgroup_skb programs a packet view is a read-only copy of the packet (loaded with bpf_skb_load_bytes), so a write would not reach the packet",
        '5 |     ip.ttl -= 1;',
        '  |     ^^^^^^',
        '  = help: rewrite packets in xdp or tc programs, where views point into the packet',
      ].join('\n'),
    ]);
  });

  it('metadata written as one type and read as another names both programs and both types', () => {
    const source = [
      'struct A { x: u32, y: u32 }',
      'struct B { x: u64 }',
      'program w : xdp {',
      '  fn main(ctx: XdpContext) -> XdpAction {',
      '    if bpf_xdp_adjust_meta(ctx, -8) != 0 { return XDP_PASS; }',
      '    let a = ctx.meta<A>();',
      '    if a == null { return XDP_PASS; }',
      '    a.x = 1;',
      '    return XDP_PASS;',
      '  }',
      '}',
      'program r : tc {',
      '  fn main(ctx: TcContext) -> TcAction {',
      '    let b = ctx.meta<B>();',
      '    if b == null { return TC_ACT_OK; }',
      '    ctx.mark = b.x as u32;',
      '    return TC_ACT_OK;',
      '  }',
      '}',
      '',
    ].join('\n');
    expect(errors(source)).toEqual([
      [
        "prog.ks:14:13: error[KS7009]: packet metadata mismatch: xdp program 'w' writes A (8 bytes), but tc program 'r' reads B (8 bytes)",
        '14 |     let b = ctx.meta<B>();',
        '   |             ^^^^^^^^^^^^^',
        "  = note: 'w' writes its metadata at line 6",
        '  = help: read it as ctx.meta<A>(), or write and read one struct type',
      ].join('\n'),
    ]);
  });

  it('redirect() on a map that is not a redirect map lists the kinds that are', () => {
    expect(errors(xdp('    return m.redirect(0, XDP_PASS);', 'map<u32, u32> m : HashMap(4);\n'))).toEqual([
      [
        "prog.ks:4:14: error[KS7006]: redirect() sends the packet through a DevMap, DevMapHash, CpuMap, XskMap; 'm' is a HashMap",
        '4 |     return m.redirect(0, XDP_PASS);',
        '  |              ^^^^^^^^',
      ].join('\n'),
    ]);
  });

  it("a kernel program writing a redirect map's element is told userspace fills it", () => {
    expect(errors(xdp('    devs[0] = 3;\n    return XDP_PASS;', 'map<u32, u32> devs : DevMap(4);\n'))).toEqual([
      [
        "prog.ks:4:5: error[KS7007]: the elements of DevMap 'devs' are filled by userspace; a kernel program redirects packets through it",
        '4 |     devs[0] = 3;',
        '  |     ^^^^^^^',
        '  = help: return devs.redirect(key, XDP_PASS);',
      ].join('\n'),
    ]);
  });

  it('bpf_redirect outside xdp and tc', () => {
    const source = program('socket_filter', 'SkbContext', 'i32', '    return bpf_redirect(1, 0);');
    expect(errors(source)[0]).toMatch(/^prog\.ks:3:12: error\[KS7002\]: bpf_redirect is available in xdp and tc programs/);
  });

  it('an XDP resize helper in tc names the kinds it belongs to', () => {
    const source = program('tc', 'TcContext', 'TcAction', '    bpf_xdp_adjust_head(ctx, 4);\n    return TC_ACT_OK;');
    expect(errors(source)[0]).toMatch(/^prog\.ks:3:25: error\[KS7002\]: bpf_xdp_adjust_head is available in xdp programs, not with a TcContext/);
  });

  it('an skb field that tc may read but not write', () => {
    const source = program('tc', 'TcContext', 'TcAction', '    ctx.vlan_tci = 1;\n    return TC_ACT_OK;');
    expect(errors(source)[0]).toMatch(/^prog\.ks:3:5: error\[KS3202\]: ctx\.vlan_tci is read-only here/);
  });
});
