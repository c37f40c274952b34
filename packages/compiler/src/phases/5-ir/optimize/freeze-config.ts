// Load-time config folded into its defaults (`--optimize --freeze-config`).
// Config normally lives in `.rodata` as `const volatile`, so a loader can set it
// before load; folding a read into the default is only sound when nothing can,
// so this pass also removes every config global: the coordinator loses its
// `--config` options and the JS metadata its config entries (setting one is an
// "unknown config" error instead of a silently ignored value). Every function
// reads the default, userspace included.
import type { IrConfig, IrExpr, IrFunction } from '../ir.js';
import { allExpressions } from '../ir-walk.js';
import type { Pass } from './pass.js';
import { rewriteExpressions, rewriteStatements } from '../rewrite.js';

export const freezeConfig: Pass = (input) => {
  const { ir } = input;
  const byCName = new Map(ir.config.map((c) => [c.cName, c]));
  const readers = (config: IrConfig) => [
    ...new Set(ir.kernelFunctions.flatMap((fn) => ([...allExpressions(fn.body)].some((e) => e.op === 'symbol' && e.name === config.cName) ? input.programsOf(fn.cName) : []))),
  ];
  const changes = ir.config.map((config) => ({
    subject: configName(config),
    programs: readers(config),
    message: `config '${configName(config)}' frozen to its default ${String(config.defaultValue)}: reads are the constant, the .rodata global and its load-time setting are removed`,
    line: config.span.start.line,
  }));
  const freeze = (fn: IrFunction): IrFunction => ({
    ...fn,
    body: rewriteStatements(fn.body, (stmt) => [rewriteExpressions(stmt, (expr) => (expr.op === 'symbol' && byCName.has(expr.name) ? defaultOf(byCName.get(expr.name)!) : expr))]),
  });
  return {
    ir: { ...ir, kernelFunctions: ir.kernelFunctions.map(freeze), userspaceFunctions: ir.userspaceFunctions.map(freeze), config: [] },
    changes,
    declined: [],
  };
};

/** The default as a constant of the config's own C type: `(__u64)10`, so `min(x, config.burst)` compares two u64 (the folder sees through the cast). */
function defaultOf(config: IrConfig): IrExpr {
  if (typeof config.defaultValue === 'boolean') return { op: 'bool', value: config.defaultValue };
  return { op: 'cast', value: { op: 'int', value: config.defaultValue, type: config.type }, type: config.type };
}

function configName(config: IrConfig): string {
  return config.program ? `${config.program}::${config.name}` : config.name;
}
