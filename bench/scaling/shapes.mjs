// Generated KernelScript inputs of a chosen size, one generator per shape of
// program that stresses a different part of the compiler. Each takes a line
// count and returns a valid `.ks` source of about that many lines, built from
// repeated blocks, so that 10x the lines is 10x the same kind of work.

/** Shared maps the generated programs write to: accesses per map grow with the input. */
const SHARED_MAPS = 8;

function sharedMaps() {
  return Array.from({ length: SHARED_MAPS }, (_, i) => `map<u32, u64> shared_${i} : HashMap(1024);`).join('\n');
}

/** Repeats `block(i)` until the source has about `lines` lines. */
function fill(lines, header, block) {
  const parts = [header];
  let count = header.split('\n').length;
  for (let i = 0; count < lines; i++) {
    const text = block(i);
    parts.push(text);
    count += text.split('\n').length;
  }
  return `${parts.join('\n')}\n`;
}

export const SHAPES = {
  /** Many small XDP and TC programs, each with a map of its own and writes to shared maps. */
  'small programs': (lines) =>
    fill(lines, sharedMaps(), (i) =>
      i % 2 === 0
        ? `map<u32, u64> own_${i} : Array(4);
program xdp_${i} : xdp {
  fn main(ctx: XdpContext) -> XdpAction {
    own_${i}[0] += 1;
    shared_${i % SHARED_MAPS}[${i}] += 1;
    return XDP_PASS;
  }
}`
        : `map<u32, u64> own_${i} : Array(4);
program tc_${i} : tc {
  fn main(ctx: TcContext) -> TcAction {
    own_${i}[1] = ${i};
    shared_${i % SHARED_MAPS}[${i}] = own_${i}[1];
    return TC_ACT_OK;
  }
}`,
    ),

  /** Many map declarations; every few maps, a program that reads and writes them. */
  'many maps': (lines) =>
    fill(lines, '', (i) => {
      const maps = Array.from({ length: 6 }, (_, k) => `m_${i}_${k}`);
      return `${maps.map((m, k) => `map<u32, u64> ${m} : ${k % 2 === 0 ? 'HashMap(256)' : 'PercpuArray(8)'};`).join('\n')}
program p_${i} : xdp {
  fn main(ctx: XdpContext) -> XdpAction {
${maps.map((m, k) => `    ${m}[${k}] += ${maps[(k + 1) % maps.length]}[${k}];`).join('\n')}
    return XDP_PASS;
  }
}`;
    }),

  /** One program whose functions are long runs of straight-line statements: arithmetic, map updates, conditionals. */
  'straight-line code': (lines) => {
    const body = (i) =>
      [
        `    a = a * 31 + ${i};`,
        `    b = b ^ (a >> ${(i % 13) + 1});`,
        `    shared_${i % SHARED_MAPS}[${i % 64}] += a & 255;`,
        `    if b > ${i} { c = c + 1; }`,
      ].join('\n');
    const fnLines = 2000;
    const functions = [];
    let count = SHARED_MAPS + 8;
    for (let f = 0; count < lines; f++) {
      const statements = [];
      for (let i = 0; statements.length * 4 < fnLines && count < lines; i++, count += 4) statements.push(body(f * fnLines + i));
      functions.push(`fn step_${f}(seed: u64) -> u64 {
    let a: u64 = seed;
    let b: u64 = seed + 1;
    let c: u64 = 0;
${statements.join('\n')}
    return a + b + c;
}`);
      count += 6;
    }
    return `${sharedMaps()}
${functions.join('\n')}
program straight : xdp {
  fn main(ctx: XdpContext) -> XdpAction {
    let x: u64 = bpf_ktime_get_ns();
${functions.map((_, f) => `    x = step_${f}(x);`).join('\n')}
    shared_0[0] = x;
    return XDP_PASS;
  }
}
`;
  },

  /**
   * Functions that are each one 200-arm `match` (the key-reuse pass's worst case): a match is an
   * `else if` chain, and docs/limits.md bounds the nesting at 256 levels.
   */
  'long matches': (lines) =>
    fill(lines, sharedMaps(), (i) => longMatchFunction(`classify_${i}`, 200, i)),

  /** Functions of `if`s nested 60 deep, each level doing a little work. */
  'deep nesting': (lines) => fill(lines, sharedMaps(), (i) => nestedIfFunction(`nested_${i}`, 60, i)),
};

/** `fn name(x: u32) -> u64` that is one `match x` with `arms` arms updating a shared map. */
export function longMatchFunction(name, arms, salt = 0) {
  const lines = [`fn ${name}(x: u32) -> u64 {`, '  let r: u64 = 0;', '  match x {'];
  for (let arm = 0; arm < arms; arm++) lines.push(`    ${arm} -> { r = ${arm * 7 + salt}; shared_${arm % SHARED_MAPS}[${arm % 32}] += 1; },`);
  lines.push('    _ -> { r = 1; },', '  }', '  return r;', '}');
  return lines.join('\n');
}

/**
 * `fn name(x: u64) -> u64` whose body is `depth` nested `if`s. The indentation stops growing
 * at 16 levels, so that the size of the source stays linear in the depth.
 */
export function nestedIfFunction(name, depth, salt = 0) {
  const indent = (level) => '  '.repeat(Math.min(level, 16));
  const lines = [`fn ${name}(x: u64) -> u64 {`, '  let r: u64 = x;'];
  for (let level = 0; level < depth; level++) lines.push(`${indent(level + 1)}if r > ${level + salt} { r = r - ${level + 1};`);
  lines.push(`${indent(depth + 1)}shared_${salt % SHARED_MAPS}[${salt % 64}] += r;`);
  for (let level = depth - 1; level >= 0; level--) lines.push(`${indent(level + 1)}}`);
  lines.push('  return r;', '}');
  return lines.join('\n');
}

/** A whole system around one function (for the depth checks): the maps it writes and a program calling it. */
export function systemAround(fn, call) {
  return `${sharedMaps()}
${fn}
program entry : xdp {
  fn main(ctx: XdpContext) -> XdpAction {
    shared_0[0] = ${call};
    return XDP_PASS;
  }
}
`;
}
