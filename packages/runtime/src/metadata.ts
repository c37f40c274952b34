// The compiler's metadata contract, which the runtime reads (types only, from
// @kernelscript/shared: the runtime does not install the compiler).
export type {
  ConfigMetadata,
  FieldDescriptor,
  IntName,
  MapKind,
  MapMetadata,
  ProgramKind,
  ProgramMetadata,
  SystemMetadata,
  TailCallMetadata,
  TypeDescriptor,
} from '@kernelscript/shared';
