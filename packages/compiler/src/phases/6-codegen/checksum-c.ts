// LANGUAGE.md §12: the checksum built-ins as C, the same for the eBPF object
// and the coordinator. Values are as stored in the header (network order):
// the one's complement sum does not depend on byte order, so no swapping is
// needed on either side. `always_inline` is spelled out: the coordinator has no
// bpf_helpers.h to define `__always_inline`.

const FOLD = [
  '/* One\'s complement of the folded 32-bit one\'s complement sum. */',
  'static inline __attribute__((always_inline)) __u16 ks_csum_fold(__u32 sum)',
  '{',
  '    sum = (sum & 0xffff) + (sum >> 16);',
  '    sum = (sum & 0xffff) + (sum >> 16);',
  '    return (__u16)~sum;',
  '}',
].join('\n');

const REPLACE2 = [
  '/* RFC 1624 eqn. 3: the checksum after a 16-bit field changed from `old` to `new`. */',
  'static inline __attribute__((always_inline)) __u16 ks_csum_replace2(__u16 check, __u16 old, __u16 new)',
  '{',
  '    return ks_csum_fold((__u32)(__u16)~check + (__u16)~old + new);',
  '}',
].join('\n');

const REPLACE4 = [
  '/* RFC 1624 eqn. 3 for a 32-bit field (an IPv4 address): both of its 16-bit halves. */',
  'static inline __attribute__((always_inline)) __u16 ks_csum_replace4(__u16 check, __u32 old, __u32 new)',
  '{',
  '    return ks_csum_fold((__u32)(__u16)~check + (__u16)~(old >> 16) + (__u16)~old + (new >> 16) + (new & 0xffff));',
  '}',
].join('\n');

// The first 10 words are inside the view (its null test checked 20 bytes), so
// only the options' words are tested against IHL and the end of the packet:
// fewer instructions, and fewer states for the verifier, than testing every word.
const IPV4 = [
  '/*',
  ' * The IPv4 header checksum computed afresh: the 20 fixed bytes, then the options',
  ' * up to IHL * 4 bytes, the stored checksum left out. Bytes at or past `end` (the',
  ' * end of the packet) are not read.',
  ' */',
  'static inline __attribute__((always_inline)) __u16 ks_ipv4_csum(const void *header, const void *end)',
  '{',
  '    const __u16 *word = header;',
  '    __u32 words = (*(const __u8 *)header & 0x0f) * 2;',
  '    __u32 sum = 0;',
  '',
  '    for (__u32 i = 0; i < 30; i++) {',
  '        if (i >= 10 && (i >= words || (const void *)(word + i + 1) > end))',
  '            break;',
  '        if (i != 5)',
  '            sum += word[i];',
  '    }',
  '    return ks_csum_fold(sum);',
  '}',
].join('\n');

const IPV4_COPY = [
  '/* ipv4_csum of a header copied out of the packet (socket_filter, cgroup_skb): the copy holds no options. */',
  'static inline __attribute__((always_inline)) __u16 ks_ipv4_csum_copy(const struct iphdr *header)',
  '{',
  '    return ks_ipv4_csum(header, header + 1);',
  '}',
].join('\n');

/** Each checksum function by its C name, with the functions it calls. */
const FUNCTIONS: Record<string, { text: string; uses: string[] }> = {
  ks_csum_replace2: { text: REPLACE2, uses: ['ks_csum_fold'] },
  ks_csum_replace4: { text: REPLACE4, uses: ['ks_csum_fold'] },
  ks_ipv4_csum: { text: IPV4, uses: ['ks_csum_fold'] },
  ks_ipv4_csum_copy: { text: IPV4_COPY, uses: ['ks_ipv4_csum'] },
};

/** The C definitions the calls named in `calls` need, in dependency order; empty when none is a checksum. */
export function checksumDefinitions(calls: ReadonlySet<string>): string[] {
  const needed = new Set<string>();
  const need = (name: string): void => {
    for (const used of FUNCTIONS[name]?.uses ?? []) need(used);
    needed.add(name);
  };
  for (const name of Object.keys(FUNCTIONS)) if (calls.has(name)) need(name);
  return [...needed].map((name) => (name === 'ks_csum_fold' ? FOLD : FUNCTIONS[name]!.text));
}
