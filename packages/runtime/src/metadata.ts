// The compiler's metadata contract, which the runtime reads (types only, from
// @kernelscript/shared: the runtime does not install the compiler).
export type {
  AttachMethod,
  ConfigMetadata,
  FieldDescriptor,
  IntName,
  MapAccessMode,
  MapKind,
  MapMetadata,
  ProgramKind,
  ProgramMetadata,
  SystemMetadata,
  TailCallMetadata,
  TypeDescriptor,
} from '@kernelscript/shared';
