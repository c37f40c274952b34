// The coordinator's command line: `--config name=value` sets load-time config
// (LANGUAGE.md §9) before the object is loaded; what remains is handed to the
// userspace main. Values are written into `.rodata` at the offsets BTF gives
// for each variable, so the code does not depend on how clang laid them out.
import type { IrConfig } from '../5-ir/ir.js';
import { sizeOf, type Type } from '../2-symbols/types.js';
import { cString } from './c-types.js';

/** The section clang puts `const volatile` globals in. */
const CONFIG_SECTION = '.rodata';

/** The name `--config` takes: `name` for global config, `program::name` for a program's own. */
function configOptionName(config: IrConfig): string {
  return config.program ? `${config.program}::${config.name}` : config.name;
}

function configKind(type: Type): string {
  if (type.kind === 'bool') return 'CONFIG_BOOL';
  if (type.kind === 'enum') return 'CONFIG_ENUM';
  return type.kind === 'int' && type.signed ? 'CONFIG_SIGNED' : 'CONFIG_UNSIGNED';
}

/** What a value must look like, for the error message and --help. */
function accepted(type: Type): string {
  if (type.kind === 'bool') return 'true or false';
  if (type.kind === 'enum') return `one of ${[...type.values.keys()].join(', ')}`;
  if (type.kind !== 'int') throw new Error(`config of type ${type.kind}`);
  const bits = BigInt(type.size * 8);
  return type.signed ? `an integer from ${-(1n << (bits - 1n))} to ${(1n << (bits - 1n)) - 1n}` : `an integer from 0 to ${(1n << bits) - 1n}`;
}

function defaultText(config: IrConfig): string {
  if (config.type.kind === 'enum') {
    const variant = [...config.type.values].find(([, value]) => value === config.defaultValue);
    if (variant) return variant[0];
  }
  return String(config.defaultValue);
}

/** Help text and argument parsing; with config, also the option table and the `.rodata` writer. */
export function commandLineSection(name: string, config: IrConfig[], mainTakesArguments: boolean): string {
  const parts = config.length > 0 ? [configTable(config), configParsing(name, config), configWriter(name, config)] : [];
  return [...parts, usageFunction(name, config, mainTakesArguments), argumentParser(name, config, mainTakesArguments)].join('\n\n');
}

function configTable(config: IrConfig[]): string {
  const enums = config.filter((c) => c.type.kind === 'enum');
  const variantArrays = [...new Set(enums.map((c) => c.type as Extract<Type, { kind: 'enum' }>))].map(
    (type) => `static const struct config_variant ${type.name}_variants[] = { ${[...type.values].map(([variant, value]) => `{ ${cString(variant)}, ${value}ULL }`).join(', ')} };`,
  );
  const entry = (c: IrConfig) => {
    const fields = [
      `.name = ${cString(configOptionName(c))}`,
      `.variable = ${cString(c.cName)}`,
      `.accepts = ${cString(accepted(c.type))}`,
      `.kind = ${configKind(c.type)}`,
      `.size = ${sizeOf(c.type)}`,
    ];
    if (c.type.kind === 'enum') fields.push(`.variants = ${c.type.name}_variants`, `.variant_count = ${c.type.values.size}`);
    return `    { ${fields.join(', ')} },`;
  };
  return [
    '/* Load-time configuration: `--config name=value` values, written into .rodata before load. */',
    `enum config_kind { CONFIG_UNSIGNED, CONFIG_SIGNED, CONFIG_BOOL${enums.length > 0 ? ', CONFIG_ENUM' : ''} };`,
    '',
    ...(enums.length > 0 ? ['struct config_variant {', '    const char *name;', '    __u64 value;', '};', '', ...variantArrays, ''] : []),
    'struct config_option {',
    '    const char *name;     /* as given to --config */',
    '    const char *variable; /* its const volatile global */',
    '    const char *accepts;  /* what a value must look like */',
    '    enum config_kind kind;',
    '    __u32 size;',
    ...(enums.length > 0 ? ['    const struct config_variant *variants;', '    __u32 variant_count;'] : []),
    '    bool is_set;',
    '    __u64 value; /* two\'s complement for signed config */',
    '};',
    '',
    `static struct config_option config_options[${config.length}] = {`,
    ...config.map(entry),
    '};',
  ].join('\n');
}

function configParsing(name: string, config: IrConfig[]): string {
  const hasEnums = config.some((c) => c.type.kind === 'enum');
  const known = config.map(configOptionName).join(', ');
  return [
    '/* Integers as KernelScript writes them: decimal, 0x, 0o or 0b, `_` separators, a leading `-`. */',
    'static bool parse_config_integer(const char *text, bool *negative, unsigned long long *magnitude)',
    '{',
    "    *negative = *text == '-';",
    '    if (*negative)',
    '        text++;',
    '    unsigned base = 10;',
    "    if (text[0] == '0' && (text[1] == 'x' || text[1] == 'o' || text[1] == 'b')) {",
    "        base = text[1] == 'x' ? 16 : text[1] == 'o' ? 8 : 2;",
    '        text += 2;',
    '    }',
    '    if (*text == \'\\0\')',
    '        return false;',
    '    unsigned long long value = 0;',
    '    for (; *text; text++) {',
    "        if (*text == '_')",
    '            continue;',
    "        unsigned digit = *text >= '0' && *text <= '9' ? (unsigned)(*text - '0')",
    "                       : *text >= 'a' && *text <= 'f' ? (unsigned)(*text - 'a' + 10)",
    "                       : *text >= 'A' && *text <= 'F' ? (unsigned)(*text - 'A' + 10) : 16;",
    '        if (digit >= base || value > (ULLONG_MAX - digit) / base)',
    '            return false;',
    '        value = value * base + digit;',
    '    }',
    '    *magnitude = value;',
    '    return true;',
    '}',
    '',
    'static bool parse_config_value(struct config_option *option, const char *text)',
    '{',
    '    if (option->kind == CONFIG_BOOL) {',
    '        bool yes = strcmp(text, "true") == 0 || strcmp(text, "1") == 0;',
    '        option->value = yes;',
    '        return yes || strcmp(text, "false") == 0 || strcmp(text, "0") == 0;',
    '    }',
    ...(hasEnums
      ? [
          '    if (option->kind == CONFIG_ENUM) {',
          '        for (__u32 i = 0; i < option->variant_count; i++) {',
          '            if (strcmp(text, option->variants[i].name) == 0) {',
          '                option->value = option->variants[i].value;',
          '                return true;',
          '            }',
          '        }',
          '        return false;',
          '    }',
        ]
      : []),
    '    bool negative;',
    '    unsigned long long magnitude;',
    '    if (!parse_config_integer(text, &negative, &magnitude))',
    '        return false;',
    '    unsigned bits = option->size * 8;',
    '    if (option->kind == CONFIG_UNSIGNED) {',
    '        unsigned long long max = bits == 64 ? ULLONG_MAX : (1ULL << bits) - 1;',
    '        option->value = magnitude;',
    '        return (!negative || magnitude == 0) && magnitude <= max;',
    '    }',
    '    unsigned long long min_magnitude = 1ULL << (bits - 1); /* |minimum|; the maximum is one less */',
    '    option->value = negative ? 0 - (__u64)magnitude : magnitude;',
    '    return magnitude <= (negative ? min_magnitude : min_magnitude - 1);',
    '}',
    '',
    '/* `name=value` from --config; prints what is wrong and returns -EINVAL when it is. */',
    'static int set_config(const char *setting)',
    '{',
    "    const char *equals = strchr(setting, '=');",
    '    size_t length = equals ? (size_t)(equals - setting) : strlen(setting);',
    `    for (int i = 0; i < ${config.length}; i++) {`,
    '        struct config_option *option = &config_options[i];',
    "        if (strlen(option->name) != length || strncmp(option->name, setting, length) != 0)",
    '            continue;',
    '        if (!equals) {',
    `            fprintf(stderr, "${name}: --config %s needs a value: --config %s=VALUE\\n", option->name, option->name);`,
    '            return -EINVAL;',
    '        }',
    '        if (!parse_config_value(option, equals + 1)) {',
    `            fprintf(stderr, "${name}: bad value '%s' for config '%s': expected %s\\n", equals + 1, option->name, option->accepts);`,
    '            return -EINVAL;',
    '        }',
    '        option->is_set = true;',
    '        return 0;',
    '    }',
    `    fprintf(stderr, "${name}: unknown config '%.*s' (known: ${known})\\n", (int)length, setting);`,
    '    return -EINVAL;',
    '}',
  ].join('\n');
}

function configWriter(name: string, config: IrConfig[]): string {
  return [
    '/* Stores the low `size` bytes of the value in host byte order. */',
    'static void store_config_value(__u8 *place, const struct config_option *option)',
    '{',
    '    __u8 u8 = (__u8)option->value;',
    '    __u16 u16 = (__u16)option->value;',
    '    __u32 u32 = (__u32)option->value;',
    '    const void *source = option->size == 1 ? (const void *)&u8 : option->size == 2 ? (const void *)&u16 : option->size == 4 ? (const void *)&u32 : (const void *)&option->value;',
    '    memcpy(place, source, option->size);',
    '}',
    '',
    `/* Writes the --config values into ${CONFIG_SECTION} before load, at the offsets its BTF DATASEC gives. */`,
    'static int write_config(void)',
    '{',
    '    bool any = false;',
    `    for (int i = 0; i < ${config.length}; i++)`,
    '        any = any || config_options[i].is_set;',
    '    if (!any)',
    '        return 0;',
    `    struct bpf_map *rodata = bpf_object__find_map_by_name(bpf_obj, ${cString(CONFIG_SECTION)});`,
    '    struct btf *btf = bpf_object__btf(bpf_obj);',
    `    int datasec = btf ? btf__find_by_name_kind(btf, ${cString(CONFIG_SECTION)}, BTF_KIND_DATASEC) : -ENOENT;`,
    '    size_t size = 0;',
    '    /* Before load this is the writable image libbpf will load (what skeletons write `rodata->x` into). */',
    '    __u8 *data = rodata ? (__u8 *)bpf_map__initial_value(rodata, &size) : NULL;',
    '    if (!data || datasec < 0) {',
    `        fprintf(stderr, "${name}: the object has no ${CONFIG_SECTION} with BTF to write config into\\n");`,
    '        return -ENOENT;',
    '    }',
    '    const struct btf_type *section = btf__type_by_id(btf, datasec);',
    '    const struct btf_var_secinfo *vars = btf_var_secinfos(section);',
    `    for (int i = 0; i < ${config.length}; i++) {`,
    '        const struct config_option *option = &config_options[i];',
    '        if (!option->is_set)',
    '            continue;',
    '        int v = 0;',
    '        while (v < btf_vlen(section) && strcmp(btf__name_by_offset(btf, btf__type_by_id(btf, vars[v].type)->name_off), option->variable) != 0)',
    '            v++;',
    '        if (v == btf_vlen(section) || vars[v].size != option->size || vars[v].offset + option->size > size) {',
    `            fprintf(stderr, "${name}: config '%s' (%s) is not in the object's ${CONFIG_SECTION}\\n", option->name, option->variable);`,
    '            return -ENOENT;',
    '        }',
    '        store_config_value(data + vars[v].offset, option);',
    '    }',
    '    return 0;',
    '}',
  ].join('\n');
}

function usageFunction(name: string, config: IrConfig[], mainTakesArguments: boolean): string {
  const width = Math.max(0, ...config.map((c) => configOptionName(c).length));
  const lines = [
    `Usage: ${name} [--verbose] [--config NAME=VALUE]...${mainTakesArguments ? ' [--] [ARGUMENT]...' : ''}`,
    'Loads the eBPF programs, runs the userspace main, and unloads everything on exit or SIGINT/SIGTERM.',
    '  -v, --verbose  also print libbpf\'s debug messages (what it does while opening and loading)',
    ...(config.length > 0
      ? ['', 'Load-time config (--config NAME=VALUE):', ...config.map((c) => `  ${configOptionName(c).padEnd(width)}  ${accepted(c.type)} (default ${defaultText(c)})`)]
      : ['This system has no load-time config.']),
  ];
  return ['static void usage(FILE *out)', '{', ...lines.map((line) => `    fputs(${cString(`${line}\n`)}, out);`), '}'].join('\n');
}

function argumentParser(name: string, config: IrConfig[], mainTakesArguments: boolean): string {
  const configOption =
    config.length > 0
      ? ['        if (set_config(setting) != 0)', '            return -EINVAL;']
      : [`        fprintf(stderr, "${name}: this system has no load-time config (--config %s)\\n", setting);`, '        return -EINVAL;'];
  const rest = mainTakesArguments
    ? ['            argv[kept++] = argv[i];', '            continue;']
    : [`            fprintf(stderr, "${name}: unexpected argument '%s' (the userspace main takes no arguments)\\n", argv[i]);`, '            usage(stderr);', '            return -EINVAL;'];
  return [
    '/* --verbose: libbpf\'s debug messages too. */',
    'static bool show_libbpf_debug = false;',
    '',
    mainTakesArguments ? '/* Takes the coordinator\'s own options out of argv; the rest (after `--`, everything) goes to main. */' : '/* The coordinator\'s own options; main takes no arguments. */',
    'static int parse_arguments(int *argc, char **argv)',
    '{',
    '    int kept = 1;',
    '    for (int i = 1; i < *argc; i++) {',
    '        const char *setting;',
    '        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {',
    '            usage(stdout);',
    '            exit(0);',
    '        } else if (strcmp(argv[i], "--verbose") == 0 || strcmp(argv[i], "-v") == 0) {',
    '            show_libbpf_debug = true;',
    '            continue;',
    '        } else if (strcmp(argv[i], "--config") == 0) {',
    '            if (i + 1 == *argc) {',
    `                fprintf(stderr, "${name}: --config needs NAME=VALUE\\n");`,
    '                return -EINVAL;',
    '            }',
    '            setting = argv[++i];',
    '        } else if (strncmp(argv[i], "--config=", 9) == 0) {',
    '            setting = argv[i] + 9;',
    ...(mainTakesArguments
      ? ['        } else if (strcmp(argv[i], "--") == 0) {', '            while (++i < *argc)', '                argv[kept++] = argv[i];', '            break;']
      : []),
    '        } else {',
    ...rest,
    '        }',
    ...configOption,
    '    }',
    '    argv[kept] = NULL;',
    '    *argc = kept;',
    '    return 0;',
    '}',
  ].join('\n');
}
