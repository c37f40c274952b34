export { load, type KernelModule, type LoadOptions, type LoadedSystem, type SystemMap } from './load.js';
export { MapHandle, type UpdateFlag, type UpdateOptions } from './map.js';
export { RingBufferHandle } from './ringbuf.js';
export { ProgramHandle, type TestRunOptions, type TestRunResult } from './program.js';
export type { Attachment, AttachTarget } from './attach.js';
export type { ConfigValues } from './config.js';
export type { KernelValue } from './codec.js';
export { BpfError } from './errors.js';
export type * from './metadata.js';
