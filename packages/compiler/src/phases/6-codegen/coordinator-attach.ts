// The coordinator's attach(program, target) / detach(program): what each
// program kind attaches to, and the record of it that detach and shutdown use
// to undo it. libbpf 1.1 has no tc links, so a tc attachment remembers its
// clsact hook and filter handle and removes them itself. A uprobe's symbol is
// resolved in the binary's ELF symbol table (libelf); a perf event is opened
// on every CPU, one link each.
import { PERF_EVENTS, PERF_TYPE } from '@kernelscript/shared';
import type { IrProgram } from '../5-ir/ir.js';
import { cString } from './c-types.js';

const uprobes = (programs: IrProgram[]) => programs.filter((p) => p.kind.attach === 'uprobe' || p.kind.attach === 'uretprobe');
const perfEvents = (programs: IrProgram[]) => programs.filter((p) => p.kind.attach === 'perf_event');

/** Headers the attach code of these programs needs beyond the coordinator's own. */
export function attachIncludes(programs: IrProgram[]): string[] {
  return [
    ...(uprobes(programs).length > 0 ? ['#include <gelf.h>'] : []),
    ...(perfEvents(programs).length > 0 ? ['#include <linux/perf_event.h>', '#include <sys/syscall.h>'] : []),
  ];
}

/** The `attachments` table, one entry per program, in declaration order. */
export function attachmentTable(programs: IrProgram[]): string {
  const hasTc = programs.some((p) => p.kind.attach === 'tc');
  const hasUprobes = uprobes(programs).length > 0;
  const hasPerfEvents = perfEvents(programs).length > 0;
  const entries = programs.map((p) => {
    const fields = [`.program = ${cString(p.name)}`];
    if (p.kind.attach === 'tc') fields.push(`.tc_attach_point = ${p.target === 'egress' ? 'BPF_TC_EGRESS' : 'BPF_TC_INGRESS'}`);
    if (p.kind.attach === 'uprobe' || p.kind.attach === 'uretprobe') fields.push(`.uprobe_target = ${cString(p.target!)}`, `.uprobe_return = ${p.kind.attach === 'uretprobe'}`);
    if (p.kind.attach === 'perf_event') fields.push(`.perf_event = ${cString(p.target!)}`);
    return `    { ${fields.join(', ')} },`;
  });
  return [
    '/* What attach() did for each program, so detach() and shutdown can undo it. */',
    'struct attachment {',
    '    const char *program;',
    '    struct bpf_link *link;',
    ...(hasUprobes ? ['    /* uprobe: the declared "binary:symbol[+offset]", and whether it probes the return. */', '    const char *uprobe_target;', '    bool uprobe_return;'] : []),
    ...(hasPerfEvents ? ['    /* perf_event: the declared "EVENT[:freq=N|:period=N]", and one link per CPU once attached. */', '    const char *perf_event;', '    struct bpf_link **perf_links;', '    int perf_link_count;'] : []),
    ...(hasTc
      ? [
          '    /* tc: libbpf 1.1 has no tc links; the filter is removed by its handle and priority. */',
          '    enum bpf_tc_attach_point tc_attach_point;',
          '    int tc_ifindex;',
          '    __u32 tc_handle;',
          '    __u32 tc_priority;',
          '    bool tc_created_clsact;',
        ]
      : []),
    '};',
    '',
    `static struct attachment attachments[${programs.length}] = {`,
    ...entries,
    '};',
  ].join('\n');
}

/** ks_attach / ks_detach / detach_all, for the calls the userspace code makes. */
export function attachFunctions(programs: IrProgram[], calls: { attach: boolean; detach: boolean }): string {
  const hasTc = programs.some((p) => p.kind.attach === 'tc');
  const hasCgroup = programs.some((p) => p.kind.attach === 'cgroup');
  const hasUprobes = uprobes(programs).length > 0;
  const hasPerfEvents = perfEvents(programs).length > 0;
  const lookup = [
    'static struct attachment *attachment_of(const char *program)',
    '{',
    `    for (int i = 0; i < ${programs.length}; i++)`,
    '        if (strcmp(attachments[i].program, program) == 0)',
    '            return &attachments[i];',
    '    return NULL;',
    '}',
  ];
  const tcAttach = [
    '',
    '/* Creates the clsact qdisc unless it exists (and then remembers to remove it), adds the filter. */',
    'static int attach_tc(struct attachment *attachment, struct bpf_program *prog, int ifindex)',
    '{',
    '    DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = attachment->tc_attach_point);',
    '    DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = bpf_program__fd(prog));',
    '    int err = bpf_tc_hook_create(&hook);',
    '    if (err && err != -EEXIST)',
    '        return err;',
    '    bool created = err == 0;',
    '    err = bpf_tc_attach(&hook, &opts);',
    '    if (err) {',
    '        if (created) {',
    '            hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;',
    '            bpf_tc_hook_destroy(&hook);',
    '        }',
    '        return err;',
    '    }',
    '    attachment->tc_ifindex = ifindex;',
    '    attachment->tc_handle = opts.handle;',
    '    attachment->tc_priority = opts.priority;',
    '    attachment->tc_created_clsact = created;',
    '    return 0;',
    '}',
  ];
  const attach = [
    ...(hasUprobes || hasPerfEvents
      ? [
          '/* attach(program, target): an interface name for xdp and tc, a cgroup directory for cgroup_skb ("" is the root),',
          ' * for uprobes and perf events another target than the declared one ("" keeps it), ignored otherwise. */',
        ]
      : ['/* attach(program, target): an interface name for xdp and tc, a cgroup directory for cgroup_skb ("" is the root), ignored otherwise. */']),
    'static int ks_attach(const char *program, const char *target)',
    '{',
    '    struct attachment *attachment = attachment_of(program);',
    '    struct bpf_program *prog = bpf_object__find_program_by_name(bpf_obj, program);',
    '    if (!attachment || !prog)',
    '        return -ENOENT;',
    `    if (${['attachment->link', ...(hasTc ? ['attachment->tc_ifindex'] : []), ...(hasPerfEvents ? ['attachment->perf_link_count'] : [])].join(' || ')})`,
    '        return -EBUSY;',
    ...(hasUprobes ? ['    if (attachment->uprobe_target)', '        return attach_uprobe(attachment, prog, target[0] ? target : attachment->uprobe_target);'] : []),
    ...(hasPerfEvents ? ['    if (attachment->perf_event)', '        return attach_perf_event(attachment, prog, target[0] ? target : attachment->perf_event);'] : []),
    '    enum bpf_prog_type type = bpf_program__type(prog);',
    '    if (type == BPF_PROG_TYPE_XDP || type == BPF_PROG_TYPE_SCHED_CLS) {',
    '        int ifindex = (int)if_nametoindex(target);',
    '        if (ifindex == 0)',
    '            return -errno;',
    ...(hasTc ? ['        if (type == BPF_PROG_TYPE_SCHED_CLS)', '            return attach_tc(attachment, prog, ifindex);'] : []),
    '        attachment->link = bpf_program__attach_xdp(prog, ifindex);',
    ...(hasCgroup
      ? [
          '    } else if (type == BPF_PROG_TYPE_CGROUP_SKB) {',
          '        int cgroup = open(target[0] ? target : "/sys/fs/cgroup", O_RDONLY | O_DIRECTORY);',
          '        if (cgroup < 0)',
          '            return -errno;',
          '        attachment->link = bpf_program__attach_cgroup(prog, cgroup);',
          '        int err = attachment->link ? 0 : -errno;',
          '        close(cgroup);',
          '        if (err)',
          '            return err;',
        ]
      : []),
    '    } else {',
    '        attachment->link = bpf_program__attach(prog);',
    '    }',
    '    return attachment->link ? 0 : -errno;',
    '}',
  ];
  const tcDetach = [
    '',
    '/* Removes the filter, and the clsact qdisc when attach created it and no other attachment uses it. */',
    'static int detach_tc(struct attachment *attachment)',
    '{',
    '    DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = attachment->tc_ifindex, .attach_point = attachment->tc_attach_point);',
    '    DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = attachment->tc_handle, .priority = attachment->tc_priority);',
    '    int err = bpf_tc_detach(&hook, &opts);',
    '    bool remove_clsact = attachment->tc_created_clsact;',
    '    attachment->tc_ifindex = 0;',
    '    attachment->tc_created_clsact = false;',
    `    for (int i = 0; i < ${programs.length} && remove_clsact; i++) {`,
    '        if (attachments[i].tc_ifindex == hook.ifindex) {',
    '            attachments[i].tc_created_clsact = true;',
    '            remove_clsact = false;',
    '        }',
    '    }',
    '    if (remove_clsact) {',
    '        hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;',
    '        bpf_tc_hook_destroy(&hook);',
    '    }',
    '    return err;',
    '}',
  ];
  const detach = [
    'static int detach_attachment(struct attachment *attachment)',
    '{',
    ...(hasTc ? ['    if (attachment->tc_ifindex)', '        return detach_tc(attachment);'] : []),
    ...(hasPerfEvents
      ? [
          '    if (attachment->perf_link_count) {',
          '        /* Destroying a perf event link closes its event too. */',
          '        for (int i = 0; i < attachment->perf_link_count; i++)',
          '            bpf_link__destroy(attachment->perf_links[i]);',
          '        free(attachment->perf_links);',
          '        attachment->perf_links = NULL;',
          '        attachment->perf_link_count = 0;',
          '        return 0;',
          '    }',
        ]
      : []),
    '    if (!attachment->link)',
    '        return -ENOENT;',
    '    int err = bpf_link__destroy(attachment->link);',
    '    attachment->link = NULL;',
    '    return err;',
    '}',
    '',
    '/* Shutdown: undo every attach() still in place. */',
    'static void detach_all(void)',
    '{',
    `    for (int i = 0; i < ${programs.length}; i++)`,
    '        detach_attachment(&attachments[i]);',
    '}',
  ];
  const detachCall = [
    'static int ks_detach(const char *program)',
    '{',
    '    struct attachment *attachment = attachment_of(program);',
    '    return attachment ? detach_attachment(attachment) : -ENOENT;',
    '}',
  ];
  return [
    [...lookup, ...(hasTc && calls.attach ? tcAttach : []), ...(hasUprobes && calls.attach ? UPROBE_ATTACH : []), ...(hasPerfEvents && calls.attach ? PERF_EVENT_ATTACH : [])],
    calls.attach ? attach : [],
    [...(hasTc ? [...tcDetach.slice(1), ''] : []), ...detach],
    calls.detach ? detachCall : [],
  ]
    .filter((part) => part.length > 0)
    .map((part) => part.join('\n'))
    .join('\n\n');
}

/** The file offset of a function in an ELF file (what the kernel's uprobes take), and the uprobe attach on it. */
const UPROBE_ATTACH = [
  '',
  '/* The file offset of function `symbol` (plus `offset`) in the ELF file `path`, from .symtab or .dynsym; a negative errno when absent. */',
  'static long elf_function_offset(const char *path, const char *symbol, unsigned long offset)',
  '{',
  '    if (elf_version(EV_CURRENT) == EV_NONE)',
  '        return -EINVAL;',
  '    int fd = open(path, O_RDONLY | O_CLOEXEC);',
  '    if (fd < 0)',
  '        return -errno;',
  '    Elf *elf = elf_begin(fd, ELF_C_READ, NULL);',
  '    long result = -ENOENT;',
  '    GElf_Addr address = 0;',
  '    bool found = false;',
  '    for (Elf_Scn *section = NULL; elf && !found && (section = elf_nextscn(elf, section)) != NULL;) {',
  '        GElf_Shdr header;',
  '        if (!gelf_getshdr(section, &header) || (header.sh_type != SHT_SYMTAB && header.sh_type != SHT_DYNSYM) || header.sh_entsize == 0)',
  '            continue;',
  '        Elf_Data *data = elf_getdata(section, NULL);',
  '        for (size_t i = 0; data && i < header.sh_size / header.sh_entsize && !found; i++) {',
  '            GElf_Sym sym;',
  '            int type = gelf_getsym(data, (int)i, &sym) ? GELF_ST_TYPE(sym.st_info) : STT_NOTYPE;',
  '            if ((type != STT_FUNC && type != STT_GNU_IFUNC) || sym.st_shndx == SHN_UNDEF)',
  '                continue;',
  '            const char *name = elf_strptr(elf, header.sh_link, sym.st_name);',
  '            if (name && strcmp(name, symbol) == 0) {',
  '                address = sym.st_value + offset;',
  '                found = true;',
  '            }',
  '        }',
  '    }',
  '    size_t segments = 0;',
  '    if (found && elf_getphdrnum(elf, &segments) == 0) {',
  '        for (size_t i = 0; i < segments; i++) {',
  '            GElf_Phdr segment;',
  '            if (gelf_getphdr(elf, (int)i, &segment) && segment.p_type == PT_LOAD && address >= segment.p_vaddr && address < segment.p_vaddr + segment.p_filesz) {',
  '                result = (long)(address - segment.p_vaddr + segment.p_offset);',
  '                break;',
  '            }',
  '        }',
  '    }',
  '    elf_end(elf);',
  '    close(fd);',
  '    return result;',
  '}',
  '',
  '/* "binary:symbol[+offset]": resolves the symbol in the binary\'s symbol table and probes it in every process. */',
  'static int attach_uprobe(struct attachment *attachment, struct bpf_program *prog, const char *target)',
  '{',
  '    char binary[PATH_MAX];',
  "    const char *colon = strrchr(target, ':');",
  '    if (!colon || colon == target || (size_t)(colon - target) >= sizeof(binary))',
  '        return -EINVAL;',
  '    memcpy(binary, target, (size_t)(colon - target));',
  "    binary[colon - target] = '\\0';",
  '    char symbol[256];',
  "    const char *plus = strchr(colon + 1, '+');",
  '    size_t length = plus ? (size_t)(plus - colon - 1) : strlen(colon + 1);',
  '    if (length == 0 || length >= sizeof(symbol))',
  '        return -EINVAL;',
  '    memcpy(symbol, colon + 1, length);',
  "    symbol[length] = '\\0';",
  '    long offset = elf_function_offset(binary, symbol, plus ? strtoul(plus + 1, NULL, 0) : 0);',
  '    if (offset < 0) {',
  '        fprintf(stderr, "attach %s: no function %s in the symbol tables of %s: %s\\n", attachment->program, symbol, binary, strerror((int)-offset));',
  '        return (int)offset;',
  '    }',
  '    attachment->link = bpf_program__attach_uprobe(prog, attachment->uprobe_return, -1, binary, (size_t)offset);',
  '    return attachment->link ? 0 : -errno;',
  '}',
];

/** Every CPU's perf event (an offline one is skipped), the program attached to each. */
const PERF_EVENT_ATTACH = [
  '',
  'static int detach_attachment(struct attachment *attachment);',
  '',
  'static int attach_perf_event(struct attachment *attachment, struct bpf_program *prog, const char *target)',
  '{',
  '    struct perf_event_attr attr;',
  '    int err = perf_event_attr_of(target, &attr);',
  '    if (err)',
  '        return err;',
  '    int cpus = libbpf_num_possible_cpus();',
  '    if (cpus <= 0)',
  '        return cpus;',
  '    attachment->perf_links = calloc((size_t)cpus, sizeof(*attachment->perf_links));',
  '    if (!attachment->perf_links)',
  '        return -ENOMEM;',
  '    for (int cpu = 0; cpu < cpus; cpu++) {',
  '        int fd = (int)syscall(__NR_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);',
  '        if (fd < 0 && errno == ENODEV)',
  '            continue;',
  '        struct bpf_link *link = fd < 0 ? NULL : bpf_program__attach_perf_event(prog, fd);',
  '        if (!link) {',
  '            err = -errno;',
  '            if (fd >= 0)',
  '                close(fd);',
  '            detach_attachment(attachment);',
  '            free(attachment->perf_links);',
  '            attachment->perf_links = NULL;',
  '            return err;',
  '        }',
  '        attachment->perf_links[attachment->perf_link_count++] = link;',
  '    }',
  '    return 0;',
  '}',
];

/**
 * What a perf_event program's target means in perf_event_attr terms, and the
 * load-time check that the machine has each declared event (a VM has no
 * hardware counters): emitted whenever the system has perf_event programs.
 */
export function perfEventSupport(programs: IrProgram[]): string {
  const declared = perfEvents(programs);
  if (declared.length === 0) return '';
  const events = Object.entries(PERF_EVENTS).map(([name, event]) => `        { ${cString(name)}, ${PERF_TYPE[event.type]}, ${event.config} },`);
  return [
    '/* "EVENT[:freq=N|:period=N]" as a perf_event_attr (every event without a rate is sampled 99 times a second). */',
    'static int perf_event_attr_of(const char *target, struct perf_event_attr *attr)',
    '{',
    '    static const struct { const char *name; __u32 type; __u64 config; } events[] = {',
    ...events,
    '    };',
    "    const char *colon = strchr(target, ':');",
    '    size_t length = colon ? (size_t)(colon - target) : strlen(target);',
    '    memset(attr, 0, sizeof(*attr));',
    '    attr->size = sizeof(*attr);',
    '    /* Disabled until libbpf has attached the program, which enables it. */',
    '    attr->disabled = 1;',
    '    attr->freq = 1;',
    '    attr->sample_freq = 99;',
    '    size_t i = 0;',
    '    while (i < sizeof(events) / sizeof(events[0]) && (strlen(events[i].name) != length || strncmp(events[i].name, target, length) != 0))',
    '        i++;',
    '    if (i == sizeof(events) / sizeof(events[0]))',
    '        return -EINVAL;',
    '    attr->type = events[i].type;',
    '    attr->config = events[i].config;',
    '    if (!colon)',
    '        return 0;',
    '    char *end = NULL;',
    '    if (strncmp(colon + 1, "freq=", 5) == 0) {',
    '        attr->sample_freq = strtoull(colon + 6, &end, 10);',
    '    } else if (strncmp(colon + 1, "period=", 7) == 0) {',
    '        attr->freq = 0;',
    '        attr->sample_period = strtoull(colon + 8, &end, 10);',
    '    }',
    "    return end && *end == '\\0' && attr->sample_period > 0 ? 0 : -EINVAL;",
    '}',
    '',
    '/* Before loading: every declared perf event must exist here, or the coordinator says which does not and why. */',
    'static int check_perf_events(void)',
    '{',
    `    static const char *const declared[][2] = { ${declared.map((p) => `{ ${cString(p.name)}, ${cString(p.target!)} }`).join(', ')} };`,
    '    for (size_t i = 0; i < sizeof(declared) / sizeof(declared[0]); i++) {',
    '        struct perf_event_attr attr;',
    '        int err = perf_event_attr_of(declared[i][1], &attr);',
    '        int fd = err ? -1 : (int)syscall(__NR_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);',
    '        if (fd >= 0) {',
    '            close(fd);',
    '            continue;',
    '        }',
    '        err = err ? err : -errno;',
    '        fprintf(stderr, "perf_event program %s: cannot open perf event \'%s\': %s\\n", declared[i][0], declared[i][1], strerror(-err));',
    '        if (attr.type == PERF_TYPE_HARDWARE && (err == -ENOENT || err == -EOPNOTSUPP))',
    '            fprintf(stderr, "it is a hardware event, and this machine has no hardware performance counter for it (most virtual machines have none): sample a software event such as cpu-clock instead\\n");',
    '        return err;',
    '    }',
    '    return 0;',
    '}',
  ].join('\n');
}
