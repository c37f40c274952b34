// The coordinator's attach(program, target) / detach(program): what each
// program kind attaches to, and the record of it that detach and shutdown use
// to undo it. libbpf 1.1 has no tc links, so a tc attachment remembers its
// clsact hook and filter handle and removes them itself.
import type { IrProgram } from '../5-ir/ir.js';
import { cString } from './c-types.js';

/** The `attachments` table, one entry per program, in declaration order. */
export function attachmentTable(programs: IrProgram[]): string {
  const hasTc = programs.some((p) => p.kind.attach === 'tc');
  const entries = programs.map((p) =>
    p.kind.attach === 'tc' ? `    { .program = ${cString(p.name)}, .tc_attach_point = ${p.target === 'egress' ? 'BPF_TC_EGRESS' : 'BPF_TC_INGRESS'} },` : `    { .program = ${cString(p.name)} },`,
  );
  return [
    '/* What attach() did for each program, so detach() and shutdown can undo it. */',
    'struct attachment {',
    '    const char *program;',
    '    struct bpf_link *link;',
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
    '/* attach(program, target): an interface name for xdp and tc, a cgroup directory for cgroup_skb ("" is the root), ignored otherwise. */',
    'static int ks_attach(const char *program, const char *target)',
    '{',
    '    struct attachment *attachment = attachment_of(program);',
    '    struct bpf_program *prog = bpf_object__find_program_by_name(bpf_obj, program);',
    '    if (!attachment || !prog)',
    '        return -ENOENT;',
    `    if (${hasTc ? 'attachment->link || attachment->tc_ifindex' : 'attachment->link'})`,
    '        return -EBUSY;',
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
    [...lookup, ...(hasTc && calls.attach ? tcAttach : [])],
    calls.attach ? attach : [],
    [...(hasTc ? [...tcDetach.slice(1), ''] : []), ...detach],
    calls.detach ? detachCall : [],
  ]
    .filter((part) => part.length > 0)
    .map((part) => part.join('\n'))
    .join('\n\n');
}
