// The typed description of a compiled system that leaves the compiler lives in
// @kernelscript/shared, so the runtime can read it without installing the compiler.
export type * from '@kernelscript/shared';
